import { EventEmitter } from 'node:events';
import type Consul from 'consul';
import type { Json, Key } from '../../history/event.js';
import type { LockCapability, RegisterCapability } from '../../runner/capabilities.js';
import type { ErrorClassifier } from '../../runner/outcome.js';
import {
  abortError,
  systemClient,
  definitely,
  decodeValue,
  encodeValue,
  lockKey,
  registerKey,
  rounds,
  ttlSeconds,
  untilAborted,
} from '../capability-support.js';
import type { CapabilityClient } from '../client-options.js';
import type { ReadMode } from '../descriptor.js';
import { consulDataTypes } from './data-types.js';
import { closeConsul, connectConsul } from './server.js';
import { consulElection } from './election.js';
import { consulWatch } from './watch.js';

/** Consul refuses session TTLs under 10 s. */
export const MIN_SESSION_SECONDS = 10;
/** Small, so a lock lost by an expired session is soon free again, yet not zero (Consul's guard against a late holder). */
export const LOCK_DELAY = '1s';
/** How long one blocking query waits for the lock key to change before trying again. */
const LOCK_WAIT = '1s';
export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The KV options this adapter uses; the library honours them but its types omit some. */
interface KvGet {
  key: string;
  consistent?: boolean;
  stale?: boolean;
  index?: string;
  wait?: string;
  /** The library's cancel handle (an EventEmitter), and its switch for returning the HTTP response. */
  ctx?: EventEmitter & { includeResponse?: boolean };
}
interface KvItem {
  Value: string | null;
  ModifyIndex: number;
  Session?: string;
}

function kvGetRaw(client: Consul, options: KvGet): Promise<unknown> {
  return client.kv.get(options as unknown as Parameters<Consul['kv']['get']>[0]);
}

export async function kvGet(client: Consul, options: KvGet): Promise<KvItem | undefined> {
  return ((await kvGetRaw(client, options)) as KvItem | null | undefined) ?? undefined;
}

/** `kv.set` resolves `true`, or `undefined`/`false` when the server answered "not applied" (a failed cas/acquire/release). */
export async function kvSet(client: Consul, options: { key: string; value: string; cas?: number; acquire?: string; release?: string }): Promise<boolean> {
  return (await client.kv.set(options)) === true;
}

/** HTTP statuses Consul answers before applying anything: bad request, forbidden, not found, conflict (a rejected txn), too large. */
const DEFINITE_STATUSES = new Set([400, 403, 404, 405, 409, 413]);

/**
 * A 500 may or may not have been applied ("No cluster leader" before, "leadership lost while
 * committing log" after): indeterminate. A refused connection sent nothing.
 */
export const classifyConsulError: ErrorClassifier = (err) => {
  if (!(err instanceof Error)) return undefined;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && DEFINITE_STATUSES.has(status)) return { type: 'fail', error: `http-${status}: ${err.message}` };
  if ((err as { isTimeout?: unknown }).isTimeout === true) return { type: 'info', error: 'timeout' };
  if ((err as { code?: unknown }).code === 'ECONNREFUSED') return { type: 'fail', error: 'connection-refused' };
  return undefined;
};

function register(client: Consul, readMode: string): RegisterCapability {
  const modeFlags = { consistent: readMode === 'consistent', stale: readMode === 'stale' };
  return {
    async read(key: Key) {
      return decodeValue((await kvGet(client, { key: registerKey(key), ...modeFlags }))?.Value);
    },
    async write(key: Key, value: Json) {
      await client.kv.set({ key: registerKey(key), value: encodeValue(value) });
    },
    async cas(key: Key, expected: Json, next: Json) {
      const k = registerKey(key);
      return rounds('cas', async () => {
        // The "no" answer rests on this read, so it is always consistent.
        const current = await kvGet(client, { key: k, consistent: true });
        if (current === undefined && expected !== null) return false;
        if (current !== undefined && encodeValue(decodeValue(current.Value)) !== encodeValue(expected)) return false;
        // cas=0: create only; cas=ModifyIndex: only if nobody wrote since our read. A "no" here
        // means someone wrote in between (perhaps the same value): read again.
        return (await kvSet(client, { key: k, value: encodeValue(next), cas: current?.ModifyIndex ?? 0 })) || undefined;
      });
    },
  };
}

/**
 * Consul's session recipe: a session (`ttl`, `behavior: delete`, small `lockdelay`) per
 * acquisition, then KV `acquire` with it; a waiting acquire blocks on the key's index and is
 * kept alive by renewing its session, so the TTL counts from the moment the lock is held.
 * The token is the session id; release is KV `release` with it, then the session is destroyed.
 */
function lock(client: Consul, sessions: Set<string>): LockCapability {
  const destroy = async (id: string): Promise<void> => {
    sessions.delete(id);
    await client.session.destroy(id).catch(() => undefined);
  };
  return {
    async acquire(name, ttlMs, { signal, fence }) {
      const key = lockKey(name);
      const { ID: session } = await untilAborted(
        client.session.create({ ttl: `${ttlSeconds(ttlMs, MIN_SESSION_SECONDS)}s`, behavior: 'delete', lockdelay: LOCK_DELAY }),
        signal,
      );
      sessions.add(session);
      try {
        let index = '0';
        for (;;) {
          if (signal.aborted) throw abortError(signal);
          if (await untilAborted(kvSet(client, { key, value: session, acquire: session }), signal)) {
            return fence === true ? { token: session, fence: await untilAborted(fenceOf(client, key, session), signal) } : { token: session };
          }
          await untilAborted(client.session.renew(session), signal);
          index = await kvWait(client, key, index, signal);
        }
      } catch (err) {
        // Destroying the session releases the lock if a late acquire took it for nobody.
        void destroy(session);
        throw err;
      }
    },
    async release(name, token) {
      if (!SESSION_ID.test(token)) throw definitely('bad-token', `not a session id: ${token}`);
      const released = await kvSet(client, { key: lockKey(name), value: '', release: token });
      if (released) await destroy(token);
      // Refused: the session expired (and its key with it) or no longer holds the key.
      return released ? 'released' : 'lost';
    },
  };
}

/**
 * The fence of a grant just made: the lock key's ModifyIndex, a Raft index that grows with
 * every write, read back consistently. (LockIndex would restart when an expired session
 * deletes the key.) A key no longer held by `session` means the lock was lost at once: the
 * grant's fence is then unknown, and so is the acquire's outcome.
 */
async function fenceOf(client: Consul, key: string, session: string): Promise<number> {
  const item = await kvGet(client, { key, consistent: true });
  if (item?.Session !== session) throw new Error(`the lock was lost before its fence could be read`);
  return item.ModifyIndex;
}

/**
 * Blocks (up to LOCK_WAIT) until the key changes after `index`; resolves with the new index.
 * The library hands back the HTTP response (for the index header) and cancels the request
 * only through an EventEmitter `ctx`.
 */
export async function kvWait(client: Consul, key: string, index: string, signal: AbortSignal): Promise<string> {
  const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
  const cancel = (): void => void ctx.emit('cancel');
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const [response] = (await kvGetRaw(client, { key, index, wait: LOCK_WAIT, ctx })) as [{ headers: Record<string, string | undefined> }];
    return response.headers['x-consul-index'] ?? index;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** Read-only transactions are served as reads: only `consistent` confirms leadership first. */
const READ_MODES: readonly ReadMode[] = [
  { name: 'default', summary: "the leader's reads, without confirming it still leads", consistency: 'serializable' },
  { name: 'consistent', summary: 'reads the leader confirms with a quorum first', consistency: 'strict-serializable' },
  { name: 'stale', summary: "any server's local copy, possibly stale", consistency: 'serializable' },
];

export const consulClient = systemClient('consul', READ_MODES, ['register', 'lock', 'election', 'set', 'txn', 'counter', 'bank', 'queue', 'watch'], async (_cluster, node, _options, readMode): Promise<CapabilityClient> => {
  const client = await connectConsul(node);
  const sessions = new Set<string>();
  const renewals = new Map<string, NodeJS.Timeout>();
  const closing = new AbortController();
  return {
    capabilities: { register: register(client, readMode), lock: lock(client, sessions), election: consulElection(client, readMode, { sessions, renewals, closing }), ...consulDataTypes(client, { readMode }), watch: consulWatch(client, readMode) },
    classifiers: [classifyConsulError],
    async close() {
      closing.abort();
      for (const timer of renewals.values()) clearInterval(timer);
      renewals.clear();
      // Destroying a session (behavior: delete) deletes the lock keys it holds.
      await Promise.all([...sessions].map((id) => client.session.destroy(id).catch(() => undefined)));
      sessions.clear();
      await closeConsul(client).catch(() => undefined);
    },
  };
});
