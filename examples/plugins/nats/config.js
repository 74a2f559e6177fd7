// @ts-check
/** nats-server's ports, paths and config file, and what its monitoring endpoint says: pure, tested without a cluster. */
export const NATS_PORT = 4222;
export const NATS_CLUSTER_PORT = 6222;
export const NATS_MONITOR_PORT = 8222;
export const NATS_CONF = '/etc/faultline/nats.conf';
export const NATS_DATA = '/var/lib/faultline/nats';
export const NATS_LOG = '/var/log/faultline/nats.log';
/** The stream a KV bucket named `faultline` is kept in. */
export const KV_STREAM = 'KV_faultline';

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

/**
 * From `/jsz?streams=true`: the KV stream's replicas other than the leader and whether each
 * is current, or `undefined` when this node does not know the stream (yet).
 * @param {unknown} jsz
 * @returns {{ name: string, current: boolean }[] | undefined}
 */
export function parseStreamReplicas(jsz) {
  const accounts = /** @type {{ account_details?: { stream_detail?: { name: string, cluster?: { replicas?: { name: string, current?: boolean }[] } }[] }[] }} */ (jsz).account_details ?? [];
  for (const a of accounts) {
    for (const s of a.stream_detail ?? []) if (s.name === KV_STREAM) return (s.cluster?.replicas ?? []).map((r) => ({ name: r.name, current: r.current === true }));
  }
  return undefined;
}
