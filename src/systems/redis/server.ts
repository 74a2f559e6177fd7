import { Redis } from 'ioredis';
import type { Cluster, Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import { processControl, removeData, startDaemon } from '../daemon.js';
import type { Health, StartOptions, SystemDescriptor } from '../descriptor.js';
import { type Appendfsync, parseInfo, primaryHealth, REDIS_CONF, REDIS_DIR, REDIS_LOG, REDIS_PORT, renderRedisConfig } from './config.js';

const DAEMON = 'redis';

/** n1 is the initial primary; every other node replicates from it. */
function primaryOf(cluster: Cluster): Node {
  const first = cluster.nodes[0];
  if (first === undefined) throw new Error('a cluster has at least one node');
  return first;
}

async function info(node: Node): Promise<Map<string, string>> {
  return parseInfo(await run(node, ['redis-cli', '-p', String(REDIS_PORT), 'info', 'replication'], { timeoutMs: 5_000 }));
}

/** Writes each node's config: the primary's, or a replica's of n1, persisted per `appendfsync`. */
export function configureRedis(appendfsync: Appendfsync | undefined): SystemDescriptor['configure'] {
  return async (cluster, node) => {
    const primary = primaryOf(cluster);
    const config = renderRedisConfig({ ...(node.name === primary.name ? {} : { primary: primary.address }), ...(appendfsync === undefined ? {} : { appendfsync }) });
    await node.writeFile(REDIS_CONF, config);
    await run(node, ['mkdir', '-p', REDIS_DIR]);
  };
}

export const redisServer = {
  name: 'redis',
  port: REDIS_PORT,
  logFiles: [REDIS_LOG],
  dataDir: REDIS_DIR,

  configure: configureRedis(undefined),

  async start(_cluster, node, options: StartOptions = {}) {
    await startDaemon(node, { name: DAEMON, argv: ['redis-server', REDIS_CONF], logFile: REDIS_LOG, env: options.env ?? {} });
  },
  ...processControl(DAEMON),
  wipe: (_cluster, node) => removeData(node, REDIS_DIR),

  async probe(cluster): Promise<Health> {
    const primary = primaryOf(cluster);
    try {
      const health = primaryHealth(await info(primary), cluster.nodes.length - 1);
      if (health.ok) return { healthy: true };
      // Name the first replica whose link is not up: that is the node to look at.
      for (const node of cluster.nodes.slice(1)) {
        const link = (await info(node)).get('master_link_status');
        if (link !== 'up') return { healthy: false, node: node.name, detail: `replica link to ${primary.name} is ${link ?? 'absent'}` };
      }
      return { healthy: false, node: primary.name, detail: health.detail };
    } catch (err) {
      return { healthy: false, node: primary.name, detail: err instanceof Error ? err.message : String(err) };
    }
  },

  async leader(cluster) {
    for (const node of cluster.nodes) {
      try {
        if ((await info(node)).get('role') === 'master') return node;
      } catch {
        // An unreachable node leads nothing.
      }
    }
    return undefined;
  },


  connectHint(cluster) {
    const primary = primaryOf(cluster);
    return `redis-cli -h ${primary.address} -p ${REDIS_PORT}   (primary ${primary.name}; replicas are read-only)`;
  },
} satisfies Partial<SystemDescriptor>;

export async function connectRedis(node: Node): Promise<Redis> {
  // No offline queue and no re-sending after a reconnect: a command either reaches the
  // server once or fails, so a history never hides a duplicate write.
  const client = new Redis({
    host: node.address,
    port: REDIS_PORT,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    lazyConnect: true,
  });
  // Connection errors reach the caller through the failed command (and become fail/info
  // there); without a listener ioredis would also print each one as "Unhandled error event".
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
}

export async function closeRedis(client: Redis): Promise<void> {
  client.disconnect();
}
