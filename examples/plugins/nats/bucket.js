// @ts-check
/**
 * The KV bucket every client uses, created once per cluster before the workload starts (by
 * the health probe), so that opening a client is only a connection and a bind: clients open
 * lazily, under faults, and must not need JetStream's API to be available to do it.
 */
import { connect } from 'nats';
import { NATS_PORT } from './config.js';

export const BUCKET = 'faultline';

/**
 * Creates the bucket, replicated on every node, with direct gets allowed (each client then
 * chooses whether to use them); an existing bucket with the same config is left as it is.
 * @param {{ nodes: readonly { address: string }[] }} cluster
 * @param {number} timeoutMs
 */
export async function ensureBucket(cluster, timeoutMs) {
  const nc = await connect({ servers: cluster.nodes.map((n) => `${n.address}:${NATS_PORT}`), timeout: timeoutMs, maxReconnectAttempts: 0 });
  try {
    const js = nc.jetstream({ timeout: timeoutMs });
    // history 1: a key keeps its latest value only; the CAS needs nothing older.
    await js.views.kv(BUCKET, { replicas: cluster.nodes.length, history: 1, allow_direct: true });
  } finally {
    await nc.close().catch(() => undefined);
  }
}
