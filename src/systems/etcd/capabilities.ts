import { etcdWatch } from './watch.js';
import type { Etcd3, Lease } from 'etcd3';
import {
  EtcdLeaseInvalidError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
} from 'etcd3';
import type { Node } from '../../cluster/node.js';
import type { Json, Key } from '../../history/event.js';
import type { LockCapability, RegisterCapability } from '../../runner/capabilities.js';
import type { ErrorClassifier } from '../../runner/outcome.js';
import { errorText } from '../../runner/outcome.js';
import {
  systemClient,
  decodeValue,
  definitely,
  encodeValue,
  lockKey,
  registerKey,
  ttlSeconds,
  untilAborted,
} from '../capability-support.js';
import type { CapabilityClient } from '../client-options.js';
import type { ReadMode } from '../descriptor.js';
import { ETCD_PORT } from './config.js';
import { etcdDataTypes } from './data-types.js';
import { closeEtcd, connectEtcd } from './server.js';
import { gatewayLock, isLeaseNotFound } from './lock-gateway.js';
import { type ElectionBook, etcdElection, takeAllLeases } from './election.js';

/**
 * etcd's minimum lease TTL with default timings (1.5 × election timeout): a shorter TTL is
 * silently raised by the server, so we ask for what we will get.
 */
const MIN_LEASE_SECONDS = 2;

/** What each etcd error means for an operation's outcome. */
export const classifyEtcdError: ErrorClassifier = (err) => {
  if (err instanceof GRPCDeadlineExceededError) return { type: 'info', error: 'timeout' };
  // Rejected by the server's validation before anything was proposed.
  if (err instanceof GRPCInvalidArgumentError || err instanceof EtcdPermissionDeniedError) {
    return { type: 'fail', error: errorText(err) };
  }
  if (err instanceof EtcdLeaseInvalidError || isLeaseNotFound(err)) return { type: 'fail', error: 'lease-not-found' };
  const text = errorText(err);
  // Refused by the apply-gap check before proposing: nothing entered the log.
  if (text.includes('etcdserver: too many requests')) return { type: 'fail', error: 'too-many-requests' };
  if (text.includes('etcdserver: request timed out')) return { type: 'info', error: 'timeout' };
  // Leader changes, lost connections, unavailable: the proposal may or may not have been applied.
  return undefined;
};

function register(client: Etcd3, readMode: string, callTimeoutMs: number): RegisterCapability {
  const serializable = readMode === 'serializable';
  const callOptions = () => ({ deadline: Date.now() + callTimeoutMs });
  return {
    async read(key: Key) {
      return decodeValue(await client.get(registerKey(key)).serializable(serializable).options(callOptions()).string());
    },
    async write(key: Key, value: Json) {
      await client.put(registerKey(key)).value(encodeValue(value)).options(callOptions());
    },
    async cas(key: Key, expected: Json, next: Json) {
      const k = registerKey(key);
      // "Expected absent" compares the key's create revision with 0 (etcd's idiom for "does not exist").
      const txn =
        expected === null ? client.if(k, 'Create', '==', 0) : client.if(k, 'Value', '==', encodeValue(expected));
      const result = await txn.then(client.put(k).value(encodeValue(next))).options(callOptions()).commit();
      return result.succeeded;
    },
  };
}

/**
 * The lock is etcd's own lock service (v3lock, reached through the HTTP gateway because the
 * etcd3 library has no client for it): it blocks until the caller's key has the lowest
 * create revision under the name. The lease is never kept alive, so the lock expires after
 * its TTL unless released; the token is the lock key the server returns, the fence the
 * revision it was granted at.
 */
/** What a process's lock client holds: granted lease ids (revoked on close) and leases still waiting. */
interface LeaseBook {
  readonly leases: Set<string>;
  readonly waiting: Set<Lease>;
}

function lock(client: Etcd3, node: Node, callTimeoutMs: number, { leases, waiting }: LeaseBook): LockCapability {
  const callOptions = () => ({ deadline: Date.now() + callTimeoutMs });
  const revoke = async (id: string): Promise<void> => {
    leases.delete(id);
    await client.leaseClient.leaseRevoke({ ID: id }, callOptions()).catch(() => undefined);
  };
  return {
    async acquire(name, ttlMs, { signal }) {
      // The lease is kept alive while waiting (as etcd's own recipe does), so the TTL counts
      // from the moment the lock is held, then left to expire unless released.
      const lease = client.lease(ttlSeconds(ttlMs, MIN_LEASE_SECONDS), callOptions());
      lease.on('lost', () => undefined);
      waiting.add(lease);
      try {
        const id = await untilAborted(lease.grant(), signal);
        leases.add(id);
        try {
          const granted = await gatewayLock(`http://${node.address}:${ETCD_PORT}`, lockKey(name), id, signal);
          return { token: granted.key, fence: granted.revision };
        } catch (err) {
          // A lock granted after we stopped waiting must not outlive this call.
          void revoke(id);
          throw err;
        }
      } finally {
        waiting.delete(lease);
        lease.release();
      }
    },
    async release(name, token) {
      const prefix = `${lockKey(name)}/`;
      if (!token.startsWith(prefix)) throw definitely('bad-token', `not a lock key of ${name}: ${token}`);
      const result = await client
        .if(token, 'Create', '>', 0)
        .then(client.delete().key(token))
        .options(callOptions())
        .commit();
      const leaseHex = token.slice(prefix.length);
      if (result.succeeded && /^[0-9a-f]+$/.test(leaseHex)) await revoke(BigInt(`0x${leaseHex}`).toString());
      // Not there: the lease expired and took the key with it before the release came.
      return result.succeeded ? 'released' : 'lost';
    },
  };
}

/** Reads and the conditional commit are Txns; linearizable reads go through consensus, serializable ones are the member's own. */
const READ_MODES: readonly ReadMode[] = [
  { name: 'linearizable', summary: 'reads confirmed through the Raft leader (the default)', consistency: 'strict-serializable' },
  { name: 'serializable', summary: "reads from the member's local store, possibly stale", consistency: 'serializable' },
];

export const etcdClient = systemClient('etcd', READ_MODES, ['register', 'lock', 'election', 'set', 'txn', 'counter', 'bank', 'queue', 'watch', 'registerStream'], async (_cluster, node, options, readMode): Promise<CapabilityClient> => {
  const client = await connectEtcd(node);
  const book: LeaseBook = { leases: new Set(), waiting: new Set() };
  const terms: ElectionBook = { leading: new Map() };
  return {
    capabilities: {
      register: register(client, readMode, options.callTimeoutMs),
      lock: lock(client, node, options.callTimeoutMs, book),
      watch: etcdWatch(client, options.callTimeoutMs),
      registerStream: etcdWatch(client, options.callTimeoutMs, `${registerKey('')}`),
      election: etcdElection(client, node, readMode, options.callTimeoutMs, terms),
      ...etcdDataTypes(client, { readMode, callTimeoutMs: options.callTimeoutMs }),
    },
    classifiers: [classifyEtcdError],
    async close() {
      // Revoking frees any lock this process still holds at once instead of at its TTL.
      for (const lease of book.waiting) lease.release();
      const deadline = Date.now() + Math.min(options.callTimeoutMs, 2_000);
      await Promise.all([...book.leases].map((ID) => client.leaseClient.leaseRevoke({ ID }, { deadline }).catch(() => undefined)));
      book.leases.clear();
      // A leader's lease too: its term ends now rather than at its TTL.
      await Promise.all(takeAllLeases(terms).map((lease) => lease.revoke({ deadline }).catch(() => undefined)));
      await closeEtcd(client).catch(() => undefined);
    },
  };
});
