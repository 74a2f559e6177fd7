import type { Cluster, Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import { startDaemon, stopDaemon } from '../daemon.js';
import { type Health, type SystemDescriptor, defineSystem } from '../descriptor.js';
import { SENTINEL_CONF, SENTINEL_DIR, SENTINEL_LOG, SENTINEL_MASTER, SENTINEL_PORT, renderSentinelConfig, sentinelHealth } from './config.js';

const SENTINEL_DAEMON = 'redis-sentinel';
/** One sentinel on each of the first three nodes: a failover needs two to agree. */
export const SENTINELS = 3;

export function sentinelNodes(cluster: Cluster): Node[] {
  return cluster.nodes.slice(0, SENTINELS);
}

/**
 * Redis as users deploy it for availability: the primary and replicas of `redis`, plus
 * Redis Sentinel on the first three nodes, which promotes a replica when the primary is
 * down for 3 s. Faults (kill, pause) still act on redis-server only; the sentinels keep
 * running. Healthy once replication is up and every sentinel sees the other two.
 */
export function withSentinel(redis: SystemDescriptor): SystemDescriptor {
  return defineSystem({
    ...redis,
    adapt: undefined,
    logFiles: [...(redis.logFiles ?? []), SENTINEL_LOG],
    async configure(cluster, node) {
      await redis.configure(cluster, node);
      const primary = cluster.nodes[0];
      if (primary === undefined) throw new Error('a cluster has at least one node');
      // Every node gets the file (logs are copied from every node); only the first three run a sentinel.
      await node.writeFile(SENTINEL_CONF, renderSentinelConfig({ primary: primary.address }));
      await run(node, ['sh', '-c', `mkdir -p ${SENTINEL_DIR} && touch ${SENTINEL_LOG}`]);
    },
    async start(cluster, node, options) {
      await redis.start(cluster, node, options);
      if (sentinelNodes(cluster).includes(node)) {
        await startDaemon(node, { name: SENTINEL_DAEMON, argv: ['redis-sentinel', SENTINEL_CONF], logFile: SENTINEL_LOG });
      }
    },
    async stop(node) {
      await stopDaemon(node, SENTINEL_DAEMON);
      await redis.stop?.(node);
    },
    async probe(cluster): Promise<Health> {
      const health = await redis.probe(cluster);
      if (!health.healthy) return health;
      const nodes = sentinelNodes(cluster);
      for (const node of nodes) {
        const out = await run(node, ['redis-cli', '-p', String(SENTINEL_PORT), 'sentinel', 'master', SENTINEL_MASTER], { timeoutMs: 5_000 }).catch((err: unknown) => String(err));
        const h = sentinelHealth(out.split('\n').map((l) => l.trim()), nodes.length - 1, cluster.nodes.length - 1);
        if (!h.ok) return { healthy: false, node: node.name, detail: `sentinel ${h.detail}` };
      }
      return { healthy: true };
    },
    connectHint(cluster) {
      const sentinels = sentinelNodes(cluster).map((n) => `${n.address}:${SENTINEL_PORT}`);
      return `${redis.connectHint?.(cluster) ?? ''}\n  sentinels ${sentinels.join(' ')} (master name ${SENTINEL_MASTER})`;
    },
  });
}
