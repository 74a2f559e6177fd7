// @ts-check
/**
 * The lock client: the npm `redlock` library over every node's Redis (a lock is held once a
 * majority of the primaries hold its value), and the register the `lock-rmw` workload's
 * counter lives in — plain GET/SET on n1, the one resource the lock protects.
 */
import { Redis } from 'ioredis';
import Redlock, { Lock } from 'redlock';
import { abortError, decodeValue, encodeValue, lockKey, registerKey, systemClient } from 'faultline';
import { REDIS_PORT } from './server.js';

/** A waiting acquire tries again this often (Redlock has no blocking acquire). */
const POLL_MS = 50;

/** @typedef {import('faultline').Node} Node */
/** @typedef {import('redlock').ExecutionStats} ExecutionStats */

/** Atomic compare-and-set. ARGV: expected text, next text, '1' when "expected" means absent. */
const CAS_SCRIPT = `local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[3] == '1') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/**
 * One node's connection. No offline queue and no re-sending after a reconnect: a command
 * reaches the server once or fails, so the history never hides a duplicate.
 * @param {Node} node
 * @param {number} timeoutMs
 */
async function connect(node, timeoutMs) {
  const client = new Redis({
    host: node.address,
    port: REDIS_PORT,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    lazyConnect: true,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Whether a failed release found the lock already gone: a majority of the primaries answered
 * that they no longer held this value (its TTL ran out, or another holder has the key).
 * Anything else (a primary that did not answer) leaves the release's effect unknown.
 * @param {unknown} err
 */
async function foundGone(err) {
  const attempts = /** @type {{ attempts?: ReadonlyArray<Promise<ExecutionStats>> }} */ (err)?.attempts;
  if (attempts === undefined || attempts.length === 0) return false;
  const stats = await attempts[attempts.length - 1];
  if (stats === undefined) return false;
  const notHeld = [...stats.votesAgainst.values()].filter((e) => e?.name === 'ResourceLockedError').length;
  return notHeld >= stats.quorumSize;
}

/**
 * @param {Redlock} redlock
 * @param {Map<string, Lock>} held
 * @returns {import('faultline').LockCapability}
 */
function lock(redlock, held) {
  return {
    async acquire(name, ttlMs, { signal }) {
      for (;;) {
        if (signal.aborted) throw abortError(signal);
        try {
          // No retries inside the library: the loop here stops at the call's deadline.
          const granted = await redlock.acquire([lockKey(name)], ttlMs, { retryCount: 0 });
          held.set(granted.value, granted);
          return { token: granted.value };
        } catch (err) {
          // No quorum: the library already undid what a minority granted. Try again.
          if (/** @type {{ name?: string }} */ (err)?.name !== 'ExecutionError') throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS * (0.5 + Math.random())));
      }
    },
    async release(name, token) {
      held.delete(token);
      // The release script needs only the key and the value, so any connection of this
      // process can release what another one acquired.
      try {
        await redlock.release(new Lock(redlock, [lockKey(name)], token, [], 0), { retryCount: 0 });
        return 'released';
      } catch (err) {
        if (await foundGone(err)) return 'lost';
        throw err;
      }
    },
  };
}

/**
 * The protected resource: a register on n1 alone (one Redis, so each call is atomic there).
 * @param {Redis} resource
 * @returns {import('faultline').RegisterCapability}
 */
function register(resource) {
  return {
    async read(key) {
      return decodeValue(await resource.get(registerKey(key)));
    },
    async write(key, value) {
      await resource.set(registerKey(key), encodeValue(value));
    },
    async cas(key, expected, next) {
      const args = expected === null ? ['', encodeValue(next), '1'] : [encodeValue(expected), encodeValue(next), '0'];
      return Number(await resource.eval(CAS_SCRIPT, 1, registerKey(key), ...args)) === 1;
    },
  };
}

/** @type {readonly import('faultline').ReadMode[]} */
const READ_MODES = [{ name: 'primary', summary: "the counter's own Redis (n1), the only copy", consistency: 'strict-serializable' }];

export const redlockClient = systemClient('redlock', READ_MODES, ['lock', 'register'], async (cluster, _node, options) => {
  /** @type {Redis[]} */
  const clients = [];
  try {
    for (const n of cluster.nodes) clients.push(await connect(n, options.callTimeoutMs));
  } catch (err) {
    for (const c of clients) c.disconnect();
    throw err;
  }
  const redlock = new Redlock(clients, { retryCount: 0, driftFactor: 0.01 });
  // The library reports each primary's refusal as an 'error' event; unheard, it would throw.
  redlock.on('error', () => undefined);
  /** @type {Map<string, Lock>} */
  const held = new Map();
  const resource = clients[0];
  if (resource === undefined) throw new Error('a cluster has at least one node');
  return {
    capabilities: { lock: lock(redlock, held), register: register(resource) },
    classifiers: [],
    async close() {
      // Release what this process still holds, then hang up.
      await Promise.all([...held.values()].map((l) => redlock.release(l, { retryCount: 0 }).catch(() => undefined)));
      for (const c of clients) c.disconnect();
    },
  };
});
