// @ts-check
/**
 * nats-server on a node: its config file (a route to every other node, JetStream on), the
 * daemon's lifecycle, and the health probe. Everything comes from 'faultline' alone.
 */
import { processControl, removeData, runOnNode, sh, startDaemon } from 'faultline';
import { ensureBucket } from './bucket.js';
import { KV_STREAM, NATS_CONF, NATS_DATA, NATS_LOG, NATS_MONITOR_PORT, NATS_PORT, parseMeta, parseStreamLeader, parseStreamReplicas, renderNatsConf } from './config.js';

const DAEMON = 'nats-server';

/** @typedef {import('faultline').Cluster} Cluster */
/** @typedef {import('faultline').Node} Node */
/** @typedef {import('faultline').Health} Health */

/**
 * One node's monitoring endpoint (read on the node with curl, so it works wherever the node is).
 * @param {Node} node
 * @param {string} path
 * @returns {Promise<unknown>}
 */
async function monitor(node, path) {
  const r = await sh(node, `curl -s --max-time 2 'http://127.0.0.1:${NATS_MONITOR_PORT}${path}'`, { timeoutMs: 5_000 });
  if (r.exitCode !== 0) throw new Error(`monitoring endpoint ${path} unreachable (curl exit ${r.exitCode})`);
  return JSON.parse(r.stdout);
}

export const natsServer = {
  name: 'nats',
  port: NATS_PORT,
  logFiles: [NATS_LOG],

  /** @param {Cluster} cluster @param {Node} node */
  async configure(cluster, node) {
    await runOnNode(node, ['mkdir', '-p', NATS_DATA]);
    await node.writeFile(NATS_CONF, renderNatsConf(node, cluster.nodes, `faultline-${cluster.id}`));
  },

  /** @param {Cluster} _cluster @param {Node} node @param {import('faultline').StartOptions} [options] */
  async start(_cluster, node, options = {}) {
    await startDaemon(node, { name: DAEMON, argv: ['nats-server', '-c', NATS_CONF], logFile: NATS_LOG, env: options.env ?? {} });
  },
  ...processControl(DAEMON),
  /** @param {Cluster} _cluster @param {Node} node */
  wipe: (_cluster, node) => removeData(node, NATS_DATA),

  /**
   * Healthy when every node says so (`/healthz`: JetStream enabled and current) and all agree
   * on one meta leader for a meta group of the whole cluster.
   * @param {Cluster} cluster
   * @returns {Promise<Health>}
   */
  async probe(cluster) {
    const leaders = new Set();
    for (const node of cluster.nodes) {
      try {
        const health = /** @type {{ status?: string, error?: string }} */ (await monitor(node, '/healthz'));
        if (health.status !== 'ok') return { healthy: false, node: node.name, detail: health.error ?? JSON.stringify(health) };
        const meta = parseMeta(await monitor(node, '/jsz'));
        if (meta.leader === undefined) return { healthy: false, node: node.name, detail: 'no JetStream meta leader' };
        if (meta.size !== cluster.nodes.length) return { healthy: false, node: node.name, detail: `meta group of ${meta.size}, not ${cluster.nodes.length}` };
        leaders.add(meta.leader);
      } catch (err) {
        return { healthy: false, node: node.name, detail: err instanceof Error ? err.message : String(err) };
      }
    }
    const first = cluster.nodes[0];
    if (first === undefined) return { healthy: false, node: '?', detail: 'no nodes' };
    if (leaders.size !== 1) return { healthy: false, node: first.name, detail: `nodes disagree on the meta leader: ${[...leaders].join(', ')}` };
    // Ready for a workload once the bucket exists with a leader and every replica current.
    try {
      await ensureBucket(cluster, 2_000);
      const jsz = await monitor(first, '/jsz?streams=true');
      const streamLeader = cluster.nodes.find((n) => n.name === parseStreamLeader(jsz));
      if (streamLeader === undefined) return { healthy: false, node: first.name, detail: `${KV_STREAM} has no leader` };
      // Only the leader knows how far behind each follower is.
      const behind = (parseStreamReplicas(await monitor(streamLeader, '/jsz?streams=true')) ?? []).filter((r) => !r.current).map((r) => r.name);
      if (behind.length > 0) return { healthy: false, node: behind[0] ?? '?', detail: `${KV_STREAM} replica not current` };
    } catch (err) {
      return { healthy: false, node: first.name, detail: `KV bucket: ${err instanceof Error ? err.message : String(err)}` };
    }
    return { healthy: true };
  },

  /**
   * The KV stream's leader (it orders every write), or the meta leader before the stream exists.
   * @param {Cluster} cluster
   * @returns {Promise<Node | undefined>}
   */
  async leader(cluster) {
    for (const node of cluster.nodes) {
      const jsz = await monitor(node, '/jsz?streams=true').catch(() => undefined);
      if (jsz === undefined) continue;
      const name = parseStreamLeader(jsz) ?? parseMeta(jsz).leader;
      const found = cluster.nodes.find((n) => n.name === name);
      if (found !== undefined) return found;
    }
    return undefined;
  },

  /** @param {Cluster} cluster */
  connectHint(cluster) {
    return `nats --server ${cluster.nodes.map((n) => `nats://${n.address}:${NATS_PORT}`).join(',')} kv get faultline <key>   (or curl http://${cluster.nodes[0]?.address}:${NATS_MONITOR_PORT}/jsz)`;
  },
};
