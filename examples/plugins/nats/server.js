// @ts-check
/**
 * nats-server on a node: its config file (a route to every other node, JetStream on), the
 * daemon's lifecycle, and the health probe. Everything comes from 'faultline' alone.
 */
import { processControl, removeData, runOnNode, sh, startDaemon } from 'faultline';

export const NATS_PORT = 4222;
export const NATS_CLUSTER_PORT = 6222;
export const NATS_MONITOR_PORT = 8222;
export const NATS_CONF = '/etc/faultline/nats.conf';
export const NATS_DATA = '/var/lib/faultline/nats';
export const NATS_LOG = '/var/log/faultline/nats.log';
const DAEMON = 'nats-server';
/** The stream a KV bucket named `faultline` is kept in. */
export const KV_STREAM = 'KV_faultline';

/** @typedef {import('faultline').Cluster} Cluster */
/** @typedef {import('faultline').Node} Node */
/** @typedef {import('faultline').Health} Health */

/**
 * The config of one node. Names are the node names (they become JetStream's peer names, so
 * the probe and `leader` can map them back), addresses are IPs: the host cannot resolve `n1`.
 * @param {{ name: string, address: string }} self
 * @param {readonly { name: string, address: string }[]} members
 * @param {string} clusterName
 * @returns {string}
 */
export function renderNatsConf(self, members, clusterName) {
  const routes = members.filter((m) => m.name !== self.name).map((m) => `    "nats-route://${m.address}:${NATS_CLUSTER_PORT}"`);
  return [
    `server_name: "${self.name}"`,
    `listen: "0.0.0.0:${NATS_PORT}"`,
    `http: "0.0.0.0:${NATS_MONITOR_PORT}"`,
    'jetstream {',
    `  store_dir: "${NATS_DATA}"`,
    '  max_memory_store: 64MB',
    '  max_file_store: 1GB',
    '}',
    'cluster {',
    `  name: "${clusterName}"`,
    `  listen: "0.0.0.0:${NATS_CLUSTER_PORT}"`,
    // Advertise the address: the default is whatever the node resolves its own name to.
    `  advertise: "${self.address}:${NATS_CLUSTER_PORT}"`,
    '  routes: [',
    routes.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}

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

/**
 * From `/jsz`: the JetStream meta group's leader and size as this node sees them.
 * @param {unknown} jsz
 * @returns {{ leader: string | undefined, size: number }}
 */
export function parseMeta(jsz) {
  const meta = /** @type {{ meta_cluster?: { leader?: string, cluster_size?: number } }} */ (jsz).meta_cluster;
  return { leader: meta?.leader || undefined, size: meta?.cluster_size ?? 0 };
}

/**
 * From `/jsz?streams=true`: the leader of the KV's stream, when this node knows the stream.
 * @param {unknown} jsz
 * @returns {string | undefined}
 */
export function parseStreamLeader(jsz) {
  const accounts = /** @type {{ account_details?: { stream_detail?: { name: string, cluster?: { leader?: string } }[] }[] }} */ (jsz).account_details ?? [];
  for (const a of accounts) {
    for (const s of a.stream_detail ?? []) if (s.name === KV_STREAM) return s.cluster?.leader || undefined;
  }
  return undefined;
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
    if (leaders.size !== 1) return { healthy: false, node: cluster.nodes[0]?.name ?? '?', detail: `nodes disagree on the meta leader: ${[...leaders].join(', ')}` };
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
