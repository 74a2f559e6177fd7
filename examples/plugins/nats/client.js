// @ts-check
/**
 * The workload client: JetStream key-value through the `nats` library (2.x). One bucket,
 * `faultline`, replicated on every node; register keys are KV keys, values JSON text.
 */
import { connect, StringCodec } from 'nats';
import { decodeValue, definitely, encodeValue, registerKey, systemClient } from 'faultline';
import { BUCKET } from './bucket.js';
import { NATS_PORT } from './config.js';

/** JetStream's error code for "wrong last sequence": the expected revision was not the key's. */
export const WRONG_LAST_SEQUENCE = 10071;
/** Rounds a CAS may lose to concurrent writers (each lost round changed nothing). */
const MAX_ROUNDS = 20;
const text = StringCodec();

/** @typedef {import('faultline').Json} Json */
/** @typedef {import('faultline').Key} Key */
/** @typedef {import('nats').KV} KV */

/**
 * KV keys may hold `-/_=.` and alphanumerics; faultline's `faultline/register/<key>` fits
 * for the workloads' integer and word keys.
 * @param {Key} key
 */
const kvKey = (key) => registerKey(key);

/**
 * @param {unknown} err
 * @returns {number | undefined}
 */
function apiErrorCode(err) {
  const api = /** @type {{ api_error?: { err_code?: number } }} */ (err)?.api_error;
  return api?.err_code;
}

/**
 * What the library's errors mean. Only "wrong last sequence" is definite: the stream leader
 * checks the expected revision before it proposes the message, so nothing was stored.
 * Everything else (request timeouts, no responders while a leader is elected, a closed
 * connection) may have been stored: `info`, the runner's default.
 * @type {import('faultline').ErrorClassifier}
 */
export const classifyNatsError = (err) => {
  if (apiErrorCode(err) === WRONG_LAST_SEQUENCE) return { type: 'fail', error: 'wrong-revision' };
  const code = /** @type {{ code?: string }} */ (err)?.code;
  if (code === 'TIMEOUT' || code === '408') return { type: 'info', error: 'timeout' };
  return undefined;
};

/**
 * `put`, `get` and a CAS made of a read and `update(key, value, revision)`. The CAS answers
 * `false` only after reading a value other than `expected`; a wrong revision means another
 * write landed between the read and the update (nothing stored), so it reads again.
 * @param {KV} kv reads in the chosen mode
 * @param {KV} leaderKv the CAS's reads: always the stream leader's, so a stale copy cannot make a CAS say "no"
 * @returns {import('faultline').RegisterCapability}
 */
function register(kv, leaderKv) {
  return {
    async read(key) {
      const entry = await kv.get(kvKey(key));
      return entry === null || entry.operation !== 'PUT' ? null : decodeValue(text.decode(entry.value));
    },
    async write(key, value) {
      await kv.put(kvKey(key), text.encode(encodeValue(value)));
    },
    async cas(key, expected, next) {
      const k = kvKey(key);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const entry = await leaderKv.get(k);
        const current = entry === null || entry.operation !== 'PUT' ? null : decodeValue(text.decode(entry.value));
        if (encodeValue(current) !== encodeValue(expected)) return false;
        try {
          // `create` for an absent key: the same check, against revision 0.
          if (entry === null) await leaderKv.create(k, text.encode(encodeValue(next)));
          else await leaderKv.update(k, text.encode(encodeValue(next)), entry.revision);
          return true;
        } catch (err) {
          if (apiErrorCode(err) !== WRONG_LAST_SEQUENCE) throw err;
        }
      }
      throw definitely('contended', `cas ${k}: lost ${MAX_ROUNDS} races in a row`);
    },
  };
}

/**
 * The value stored under `k` (null when absent), from one KV handle.
 * @param {KV} kv
 * @param {string} k
 * @returns {Promise<{ value: Json, revision: number | undefined }>}
 */
async function readEntry(kv, k) {
  const entry = await kv.get(k);
  if (entry === null || entry.operation !== 'PUT') return { value: null, revision: entry?.revision };
  return { value: decodeValue(text.decode(entry.value)), revision: entry.revision };
}

/**
 * A set as one key holding a JSON array, grown with the same read-then-update-at-revision
 * as the CAS. A lost race (wrong revision) stored nothing: read again after a short jittered
 * pause, so that ten processes adding at once do not keep colliding. Adding a member that is
 * already there (the retry of an `info` add) changes nothing and is `ok`.
 * @param {KV} kv reads in the chosen mode
 * @param {KV} leaderKv the adds' reads and updates
 * @returns {import('faultline').SetCapability}
 */
function set(kv, leaderKv) {
  const k = 'faultline/set';
  return {
    async add(element) {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const { value, revision } = await readEntry(leaderKv, k);
        const members = Array.isArray(value) ? value : [];
        if (members.some((m) => encodeValue(m) === encodeValue(element))) return;
        const next = text.encode(encodeValue([...members, element]));
        try {
          if (revision === undefined) await leaderKv.create(k, next);
          else await leaderKv.update(k, next, revision);
          return;
        } catch (err) {
          if (apiErrorCode(err) !== WRONG_LAST_SEQUENCE) throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(64, 2 ** round)));
      }
      throw definitely('contended', `add to ${k}: lost ${MAX_ROUNDS} races in a row`);
    },
    async read() {
      const { value } = await readEntry(kv, k);
      return Array.isArray(value) ? value : [];
    },
  };
}

/** @type {readonly import('faultline').ReadMode[]} */
const READ_MODES = [
  {
    name: 'leader',
    summary: "STREAM.MSG.GET: the KV stream's leader answers from its store (the library's default when the bucket has no direct get)",
    consistency: 'strict-serializable',
  },
  {
    name: 'direct',
    summary: 'DIRECT.GET: a replica of the stream answers from its own copy, possibly behind the leader',
    consistency: 'serializable',
  },
];

export const natsClient = systemClient('nats', READ_MODES, ['register', 'set'], async (cluster, node, options, readMode) => {
  const nc = await connect({
    servers: `${node.address}:${NATS_PORT}`,
    name: 'faultline',
    timeout: options.callTimeoutMs,
    // Keep trying the same node: a killed or cut-off server comes back, and each call has its own deadline.
    maxReconnectAttempts: -1,
    // Never move to a server the cluster advertises: the history records the node each
    // operation was routed to, and a partition is only tested if the client stays on its side.
    ignoreClusterUpdates: true,
    reconnectTimeWait: 250,
  });
  try {
    // checkAPI off: the library would otherwise ask JetStream for account info first, which a
    // node without a quorum cannot answer (every open would fail `503` under a partition).
    const js = nc.jetstream({ timeout: options.callTimeoutMs, checkAPI: false });
    // Binding sends nothing: the probe created the bucket before the workload started.
    const leaderKv = await js.views.kv(BUCKET, { bindOnly: true, allow_direct: false });
    const readKv = readMode === 'direct' ? await js.views.kv(BUCKET, { bindOnly: true, allow_direct: true }) : leaderKv;
    return {
      capabilities: { register: register(readKv, leaderKv), set: set(readKv, leaderKv) },
      classifiers: [classifyNatsError],
      async close() {
        await nc.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
});
