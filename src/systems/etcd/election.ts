import type { Etcd3, Lease } from 'etcd3';
import type { Node } from '../../cluster/node.js';
import type { ElectionCapability, ElectionTerm } from '../../runner/capabilities.js';
import { KEY_PREFIX, definitely, ttlSeconds, untilAborted } from '../capability-support.js';
import { ETCD_PORT } from './config.js';
import { EtcdGatewayError } from './lock-gateway.js';
import { classifyError } from '../../runner/outcome.js';
import { classifyEtcdError } from './capabilities.js';

/** etcd raises lease TTLs below this (1.5 × the election timeout) anyway. */
const MIN_LEASE_SECONDS = 2;

export function electionPrefix(name: string): string {
  return `${KEY_PREFIX}/election/${name}`;
}

interface GatewayKv {
  key?: string;
  create_revision?: string;
  value?: string;
}
interface GatewayReply {
  leader?: { key?: string; rev?: string };
  kv?: GatewayKv;
  error?: string;
  message?: string;
  code?: number;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString();

/** One call of etcd's election service (`v3electionpb.Election`) through the server's gRPC-JSON gateway. */
async function gateway(node: Node, method: 'campaign' | 'leader', body: object, signal: AbortSignal): Promise<GatewayReply> {
  const response = await fetch(`http://${node.address}:${ETCD_PORT}/v3/election/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const reply = (await response.json()) as GatewayReply;
  if (!response.ok) throw new EtcdGatewayError(response.status, reply.code, `etcd election ${method}: ${reply.message ?? reply.error ?? `HTTP ${response.status}`}`);
  return reply;
}

/** The term's identity: the leader key (prefix + lease) and the revision that created it. */
const termName = (key: string, rev: string): string => `${key}@${rev}`;

function parseTerm(term: string, prefix: string): { key: string; rev: number } {
  const at = term.lastIndexOf('@');
  const key = term.slice(0, at);
  const rev = Number(term.slice(at + 1));
  if (at < 0 || !key.startsWith(`${prefix}/`) || !Number.isSafeInteger(rev) || rev <= 0) throw definitely('bad-term', `not a term of ${prefix}: ${term}`);
  return { key, rev };
}

/** What a process's election client holds: the lease of each term it leads, kept alive until it resigns. */
export interface ElectionBook {
  readonly leading: Map<string, Lease>;
}

/**
 * Which client's book holds each term led from this OS process. A process has one client
 * per node it talks to, and its resign may go to another node than its campaign did: that
 * resign must still stop the campaign client's keep-alive (terms are unique: key and revision).
 */
const BOOK_OF_TERM = new Map<string, ElectionBook>();

/** Stops keeping the term's lease alive, in whichever of this process's clients campaigned for it. */
function takeLease(term: string): Lease | undefined {
  const book = BOOK_OF_TERM.get(term);
  BOOK_OF_TERM.delete(term);
  const lease = book?.leading.get(term);
  book?.leading.delete(term);
  return lease;
}

/** Takes every term this book leads out of it (its client is closing). */
export function takeAllLeases(book: ElectionBook): Lease[] {
  return [...book.leading.keys()].flatMap((term) => takeLease(term) ?? []);
}

/**
 * etcd's own election recipe, served by the etcd server (the election service, reached
 * through the gateway as the lock service is: the etcd3 library's `Election` re-implements
 * it client-side). Campaign blocks until the candidate's key, created under its lease, has
 * the lowest creation revision under the election's prefix; the lease is kept alive while
 * the candidate waits and leads, as a leader's session is. Resign is the service's own
 * transaction (delete the key if its creation revision is still the term's) run directly,
 * because the service answers the same whether or not the key was still there, and a
 * resign must say whether the term had already ended.
 */
export function etcdElection(client: Etcd3, node: Node, readMode: string, callTimeoutMs: number, book: ElectionBook): ElectionCapability {
  const callOptions = () => ({ deadline: Date.now() + callTimeoutMs });
  const drop = (lease: Lease): void => {
    lease.release();
    void lease.revoke(callOptions()).catch(() => undefined);
  };
  return {
    async campaign(name, candidate, ttlMs, { signal }) {
      const lease = client.lease(ttlSeconds(ttlMs, MIN_LEASE_SECONDS), callOptions());
      lease.on('lost', () => undefined);
      try {
        const id = await untilAborted(lease.grant(), signal);
        const reply = await gateway(node, 'campaign', { name: b64(electionPrefix(name)), lease: id, value: b64(candidate) }, signal);
        if (reply.leader?.key === undefined || reply.leader.rev === undefined) throw new Error(`etcd election campaign: no leader key in the reply`);
        const term = termName(unb64(reply.leader.key), reply.leader.rev);
        book.leading.set(term, lease);
        BOOK_OF_TERM.set(term, book);
        return { leader: candidate, term };
      } catch (err) {
        // Aborting the request makes the server resign the waiting key; the lease goes too.
        drop(lease);
        throw err;
      }
    },
    async resign(name, { term }) {
      const { key, rev } = parseTerm(term, electionPrefix(name));
      const release = (): void => {
        const lease = takeLease(term);
        if (lease !== undefined) drop(lease);
      };
      try {
        const result = await client.if(key, 'Create', '==', rev).then(client.delete().key(key)).options(callOptions()).commit();
        release();
        // Not there under that revision: the lease expired and took the key with it.
        return result.succeeded ? 'released' : 'lost';
      } catch (err) {
        // A resign that certainly did not happen (fail) leaves the process leading: it retries,
        // so its lease stays alive. One of unknown outcome (info) ends the process's part in
        // the term: its lease must stop being kept alive too, or it stays a leader nobody acts
        // as, holding the election for the rest of the run (measured: one term from 0.6 s to
        // 19.9 s of a 20 s run after a resign sent to a node being killed).
        if (classifyError(err, [classifyEtcdError]).type !== 'fail') release();
        throw err;
      }
    },
    async observe(name, { signal }) {
      const prefix = electionPrefix(name);
      let kv: GatewayKv | undefined;
      if (readMode === 'serializable') {
        // The service's Leader is linearizable; a serializable observe asks the member's own store the same question.
        const found = (await client.getAll().prefix(`${prefix}/`).sort('Create', 'Ascend').limit(1).serializable(true).options(callOptions()).exec()).kvs[0];
        kv = found === undefined ? undefined : { key: b64(found.key.toString()), create_revision: String(found.create_revision), value: b64(found.value.toString()) };
      } else {
        try {
          kv = (await gateway(node, 'leader', { name: b64(prefix) }, signal)).kv;
        } catch (err) {
          if (err instanceof Error && err.message.includes('election: no leader')) return null;
          throw err;
        }
      }
      if (kv?.key === undefined || kv.create_revision === undefined) return null;
      return { leader: unb64(kv.value), term: termName(unb64(kv.key), kv.create_revision) } satisfies ElectionTerm;
    },
  };
}
