// @ts-check
/**
 * Independent Redis primaries: every node runs its own redis-server with no replication, the
 * topology Redlock is designed for (N masters, no coordination between them). Everything
 * comes from 'faultline' alone.
 */
import { processControl, removeData, runOnNode, sh, startDaemon } from 'faultline';

export const REDIS_PORT = 6379;
const DIR = '/var/lib/faultline/redlock';
const CONF = '/etc/faultline/redlock.conf';
const LOG = '/var/log/faultline/redlock.log';
const DAEMON = 'redlock-redis';

/** @typedef {import('faultline').Cluster} Cluster */
/** @typedef {import('faultline').Node} Node */
/** @typedef {import('faultline').Health} Health */

/**
 * One primary's config: on every interface, in the foreground, and no persistence at all —
 * as Redlock's own description assumes is acceptable with delayed restarts (a killed node
 * comes back empty; this plugin's tests do not kill).
 */
export const renderConfig = () =>
  [`port ${REDIS_PORT}`, 'bind 0.0.0.0', 'protected-mode no', 'daemonize no', `dir ${DIR}`, 'appendonly no', 'save ""', 'loglevel notice', ''].join('\n');

/** @param {Node} node */
async function ping(node) {
  const r = await sh(node, `redis-cli -p ${REDIS_PORT} PING`, { timeoutMs: 5_000 });
  return r.exitCode === 0 && r.stdout.trim() === 'PONG' ? undefined : `PING answered "${r.stdout.trim() || r.stderr.trim()}" (exit ${r.exitCode})`;
}

export const redlockServers = {
  name: 'redlock',
  port: REDIS_PORT,
  logFiles: [LOG],

  /** @param {Cluster} _cluster @param {Node} node */
  async configure(_cluster, node) {
    await runOnNode(node, ['mkdir', '-p', DIR]);
    await node.writeFile(CONF, renderConfig());
  },

  /** @param {Cluster} _cluster @param {Node} node @param {import('faultline').StartOptions} [options] */
  async start(_cluster, node, options = {}) {
    await startDaemon(node, { name: DAEMON, argv: ['redis-server', CONF], logFile: LOG, env: options.env ?? {} });
  },
  ...processControl(DAEMON),
  /** @param {Cluster} _cluster @param {Node} node */
  wipe: (_cluster, node) => removeData(node, DIR),

  /**
   * Healthy when every primary answers PING: Redlock needs no more than that.
   * @param {Cluster} cluster
   * @returns {Promise<Health>}
   */
  async probe(cluster) {
    for (const node of cluster.nodes) {
      const problem = await ping(node).catch((err) => (err instanceof Error ? err.message : String(err)));
      if (problem !== undefined) return { healthy: false, node: node.name, detail: problem };
    }
    return { healthy: true };
  },

  /** @param {Cluster} cluster */
  connectHint(cluster) {
    return cluster.nodes.map((n) => `redis-cli -h ${n.address} -p ${REDIS_PORT}   (${n.name}, an independent primary)`).join('\n');
  },
};
