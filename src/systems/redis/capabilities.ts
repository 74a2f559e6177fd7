import type { Redis } from 'ioredis';
import type { Cluster, Node } from '../../cluster/node.js';
import type { Json, Key } from '../../history/event.js';
import type { LockCapability, RegisterCapability } from '../../runner/capabilities.js';
import type { ErrorClassifier } from '../../runner/outcome.js';
import { sleepMs } from '../../runner/async.js';
import { abortError, decodeValue, encodeValue, lockKey, newToken, registerKey, systemClient } from '../capability-support.js';
import type { CapabilityClient } from '../client-options.js';
import type { ReadMode } from '../descriptor.js';
import { redisDataTypes } from './data-types.js';
import { redisElection } from './election.js';
import { connectRedis } from './server.js';
import { redisStreamQueue } from './stream.js';

/** Atomic compare-and-set: ARGV = expected text, next text, '1' when "expected" means "absent". */
export const CAS_SCRIPT = `local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[3] == '1') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/**
 * `SET NX PX` and, when it wins, the lock's fencing counter incremented in the same atomic
 * step: returns the new fence, or 0 when the lock is held. KEYS: lock, fence counter.
 */
export const ACQUIRE_SCRIPT = `if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  return redis.call('INCR', KEYS[2])
end
return 0`;

/** Deletes the lock only if `token` (ARGV[1]) still holds it. */
export const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The CAS script's arguments for one call. */
export function casArgs(expected: Json, next: Json): [string, string, string] {
  return expected === null ? ['', encodeValue(next), '1'] : [encodeValue(expected), encodeValue(next), '0'];
}

/** Redis has no blocking lock: a waiting acquire retries `SET NX` this often. */
export const LOCK_POLL_MS = 50;

/**
 * Error replies Redis sends before executing anything: the command certainly had no effect.
 * (READONLY: a write reached a replica; NOSCRIPT: EVALSHA of an unknown script; LOADING,
 * BUSY, MASTERDOWN, OOM, NOREPLICAS: refused while in that state; NOGROUP: a stream
 * group command on a primary without the group.)
 */
const DEFINITE_REPLIES = ['READONLY', 'NOSCRIPT', 'LOADING', 'BUSY', 'MASTERDOWN', 'OOM', 'NOREPLICAS', 'WRONGTYPE', 'NOGROUP', 'EXECABORT', 'NOAUTH', 'NOPERM'];

export const classifyRedisError: ErrorClassifier = (err) => {
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'ReplyError') {
    const code = err.message.split(' ', 1)[0] ?? '';
    if (DEFINITE_REPLIES.includes(code)) return { type: 'fail', error: code.toLowerCase() };
    return undefined;
  }
  // ioredis refuses to send without a connection (no offline queue): nothing reached the server.
  if (err.message.includes("Stream isn't writeable")) return { type: 'fail', error: 'not-connected' };
  if (err.message === 'Command timed out') return { type: 'info', error: 'timeout' };
  if (err instanceof WaitShortfall) return { type: 'info', error: err.message };
  return undefined;
};

/** Runs a command on the primary (see PrimaryLink). */
type OnPrimary = <T>(act: (primary: Redis) => Promise<T>) => Promise<T>;

/**
 * `WAIT n`: after a write, block until `n` replicas acknowledged it. Fewer within the
 * timeout leaves the write on the primary but perhaps not on a future primary: outcome unknown.
 */
export interface ReplicaWait {
  readonly replicas: number;
  readonly timeoutMs: number;
}

export class WaitShortfall extends Error {
  constructor(acked: number, wanted: number) {
    super(`WAIT: ${acked} of ${wanted} replicas acknowledged`);
    this.name = 'WaitShortfall';
  }
}

async function waitReplicas(c: Redis, wait: ReplicaWait | undefined): Promise<void> {
  if (wait === undefined || wait.replicas <= 0) return;
  const acked = Number(await c.call('WAIT', String(wait.replicas), String(wait.timeoutMs)));
  if (acked < wait.replicas) throw new WaitShortfall(acked, wait.replicas);
}

/** On the hot path: the cached primary, no closure per call (see PrimaryLink.client). */
function register(link: PrimaryLink, replicaReads: Redis | undefined, wait?: ReplicaWait): RegisterCapability {
  return {
    async read(key: Key) {
      const k = registerKey(key);
      if (replicaReads !== undefined) return decodeValue(await replicaReads.get(k));
      const c = link.client ?? (await link.find());
      try {
        return decodeValue(await c.get(k));
      } catch (err) {
        throw link.failed(err);
      }
    },
    async write(key: Key, value: Json) {
      const c = link.client ?? (await link.find());
      try {
        await c.set(registerKey(key), encodeValue(value));
        if (wait !== undefined) await waitReplicas(c, wait);
      } catch (err) {
        throw link.failed(err);
      }
    },
    async cas(key: Key, expected: Json, next: Json) {
      const c = link.client ?? (await link.find());
      try {
        const swapped = (await c.eval(CAS_SCRIPT, 1, registerKey(key), ...casArgs(expected, next))) === 1;
        if (swapped && wait !== undefined) await waitReplicas(c, wait);
        return swapped;
      } catch (err) {
        throw link.failed(err);
      }
    },
  };
}

/**
 * `SET key token NX PX ttl` (with a fencing counter incremented in the same script), retried
 * until it wins or the call is aborted; release is token-checked.
 */
function lock(onPrimary: OnPrimary, held: Map<string, string>): LockCapability {
  return {
    async acquire(name, ttlMs, { signal }) {
      const token = newToken();
      const key = lockKey(name);
      for (;;) {
        if (signal.aborted) throw abortError(signal);
        const fence = Number(await onPrimary((c) => c.eval(ACQUIRE_SCRIPT, 2, key, `${key}/fence`, token, String(ttlMs))));
        if (fence > 0) {
          held.set(name, token);
          return { token, fence };
        }
        await sleepMs(LOCK_POLL_MS, signal);
      }
    },
    async release(name, token) {
      const released = (await onPrimary((c) => c.eval(RELEASE_SCRIPT, 1, lockKey(name), token))) === 1;
      if (held.get(name) === token) held.delete(name);
      return released ? 'released' : 'lost';
    },
  };
}

async function connectTo(_cluster: Cluster, node: Node): Promise<Redis> {
  return connectRedis(node);
}

/**
 * The connection writes go to: the primary as the routed node's ROLE names it, looked up
 * once and cached. A READONLY reply means a failover demoted it, so the next command looks
 * the primary up again (as does the next after a failed lookup).
 */
class PrimaryLink {
  /** The primary's connection once known; `undefined` while it has to be looked up. */
  client: Redis | undefined;
  private current: Promise<Redis>;
  private readonly opened = new Set<Redis>();

  constructor(
    private readonly cluster: Cluster,
    private readonly node: Node,
    private readonly bound: Redis,
  ) {
    this.current = this.refind();
  }

  readonly run: OnPrimary = async (act) => {
    const primary = this.client ?? (await this.find());
    try {
      return await act(primary);
    } catch (err) {
      throw this.failed(err);
    }
  };

  /** The lookup in force; a failed one is retried by the next call. */
  async find(): Promise<Redis> {
    try {
      return await this.current;
    } catch (err) {
      this.current = this.refind();
      throw err;
    }
  }

  /** Notes a command's error (READONLY: look the primary up again) and hands it back to be thrown. */
  failed(err: unknown): unknown {
    if (err instanceof Error && err.name === 'ReplyError' && err.message.startsWith('READONLY')) {
      this.client = undefined;
      this.current = this.refind();
    }
    return err;
  }

  /** Resolves once the first lookup is done (so `open` fails when the cluster cannot be reached). */
  async ready(): Promise<void> {
    await this.current;
  }

  close(): void {
    for (const c of this.opened) c.disconnect();
    this.opened.clear();
  }

  /** A lookup nobody may await (the process may end first) must not be an unhandled rejection. */
  private refind(): Promise<Redis> {
    const next = this.lookUp();
    // Cached only while it is still the lookup in force (a READONLY may have started another).
    next.then(
      (c) => {
        if (this.current === next) this.client = c;
      },
      () => undefined,
    );
    return next;
  }

  private async lookUp(): Promise<Redis> {
    const role = (await this.bound.call('ROLE')) as unknown[];
    const primary = role[0] === 'master' ? this.node : this.cluster.nodes.find((n) => n.address === role[1]);
    if (primary === undefined || primary === this.node) return this.bound;
    this.close();
    const client = await connectTo(this.cluster, primary);
    this.opened.add(client);
    return client;
  }
}

/** One Lua script on the one primary; Redis runs scripts atomically, one at a time. */
const READ_MODES: readonly ReadMode[] = [
  { name: 'primary', summary: 'reads from the primary (the default)', consistency: 'strict-serializable' },
  { name: 'replica', summary: 'reads from the routed node, a replica that may lag or be cut off', consistency: 'strict-serializable' },
];

/**
 * Writes, CAS and locks go to the primary (found through the routed node's ROLE): after a
 * failover the old primary answers READONLY, a definite failure, and the next command goes
 * to the new one. Reads go to the primary (`primary`) or to the routed node itself
 * (`replica`), which may lag or be cut off.
 */
export const redisClient = systemClient('redis', READ_MODES, ['register', 'lock', 'election', 'set', 'txn', 'counter', 'bank', 'queue', 'stream'], async (cluster, node, options, readMode): Promise<CapabilityClient> => {
  const bound = await connectTo(cluster, node);
  const link = new PrimaryLink(cluster, node, bound);
  const held = new Map<string, string>();
  try {
    await link.ready();
  } catch (err) {
    bound.disconnect();
    throw err;
  }
  const lockCapability = lock(link.run, held);
  const leading = new Map<string, string>();
  const election = redisElection(link.run, leading, readMode === 'replica' ? bound : undefined);
  return {
    capabilities: {
      register: register(
        link,
        readMode === 'replica' ? bound : undefined,
        typeof options.systemOptions?.['wait'] === 'number' ? { replicas: options.systemOptions['wait'], timeoutMs: Math.max(1, Math.floor(options.callTimeoutMs / 2)) } : undefined,
      ),
      lock: lockCapability,
      election,
      ...redisDataTypes(link.run, readMode === 'replica' ? bound : undefined),
      stream: redisStreamQueue(link.run),
    },
    classifiers: [classifyRedisError],
    async close() {
      // Redis has no session to end: release what this process still holds, then hang up.
      const signal = AbortSignal.timeout(Math.min(options.callTimeoutMs, 2_000));
      await Promise.all([...held].map(([name, token]) => lockCapability.release(name, token, { signal }).catch(() => false)));
      await Promise.all(
        [...leading].map(([name, value]) => {
          const colon = value.indexOf(':');
          return election.resign(name, { term: value.slice(0, colon), leader: value.slice(colon + 1) }, { signal }).catch(() => 'lost');
        }),
      );
      link.close();
      bound.disconnect();
    },
  };
});
