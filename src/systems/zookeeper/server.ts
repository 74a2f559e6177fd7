import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import { InfrastructureError } from '../../errors.js';
import type { Cluster, Node } from '../../cluster/node.js';
import { sh } from '../../cluster/node.js';
import { processControl, removeData, startDaemon } from '../daemon.js';
import type { Health, StartOptions, SystemDescriptor } from '../descriptor.js';
import { guardZookeeperClient } from './guard.js';
import { parseMode, quorumHealth, renderLog4j, renderZooCfg, ZK_CONF_DIR, ZK_DATA, ZK_LOG, ZK_PORT, zkArgv } from './config.js';

const DAEMON = 'zookeeper';

// Before any client exists: what the library throws from its socket handlers resets one connection, not the process.
guardZookeeperClient();
const CONNECT_TIMEOUT_MS = 10_000;

function myid(cluster: Cluster, node: Node): number {
  return cluster.nodes.findIndex((n) => n.name === node.name) + 1;
}

async function mode(node: Node): Promise<string | undefined> {
  const r = await sh(node, `echo srvr | nc -q 1 127.0.0.1 ${ZK_PORT}`, { timeoutMs: 5_000 });
  return r.exitCode === 0 ? parseMode(r.stdout) : undefined;
}

async function writeMyid(cluster: Cluster, node: Node): Promise<void> {
  await node.writeFile(`${ZK_DATA}/myid`, `${myid(cluster, node)}\n`);
}

/** Starts the server; `trustEmptySnapshot`: see zkArgv. */
export function zookeeperStart(trustEmptySnapshot: boolean, snapshotCount?: number): SystemDescriptor['start'] {
  return async (_cluster, node, options: StartOptions = {}) => {
    const argv = zkArgv({ trustEmptySnapshot, ...(snapshotCount === undefined ? {} : { snapshotCount }) });
    await startDaemon(node, { name: DAEMON, argv, logFile: ZK_LOG, env: options.env ?? {} });
  };
}

export const zookeeperServer = {
  name: 'zookeeper',
  port: ZK_PORT,
  logFiles: [ZK_LOG],
  dataDir: ZK_DATA,
  corruptibleFiles: [
    { name: 'log', summary: 'the newest transaction log (version-2/log.*, preallocated in 64 MB steps)', glob: 'version-2/log.*' },
    { name: 'snapshot', summary: 'the newest fuzzy snapshot (version-2/snapshot.*)', glob: 'version-2/snapshot.*' },
  ],
  slowDiskWarning: 'fsync-ing the write ahead log',

  async configure(cluster, node) {
    await node.writeFile(`${ZK_CONF_DIR}/zoo.cfg`, renderZooCfg(cluster.nodes.map((n) => n.address)));
    await node.writeFile(`${ZK_CONF_DIR}/log4j.properties`, renderLog4j());
    await writeMyid(cluster, node);
  },

  start: zookeeperStart(false),
  ...processControl(DAEMON),
  async wipe(cluster, node) {
    await removeData(node, ZK_DATA);
    await writeMyid(cluster, node);
  },

  async probe(cluster): Promise<Health> {
    const modes = await Promise.all(cluster.nodes.map((n) => mode(n).catch(() => undefined)));
    const { ok, firstBad } = quorumHealth(modes);
    if (ok) return { healthy: true };
    const node = cluster.nodes[firstBad ?? 0];
    const summary = cluster.nodes.map((n, i) => `${n.name}=${modes[i] ?? 'not serving'}`).join(' ');
    return { healthy: false, node: node?.name ?? '?', detail: `modes: ${summary}` };
  },

  async leader(cluster) {
    const modes = await Promise.all(cluster.nodes.map((n) => mode(n).catch(() => undefined)));
    const i = modes.findIndex((m) => m === 'leader' || m === 'standalone');
    return i >= 0 ? cluster.nodes[i] : undefined;
  },


  connectHint(cluster) {
    const servers = cluster.nodes.map((n) => `${n.address}:${ZK_PORT}`).join(',');
    return `zkCli.sh -server ${servers}`;
  },
} satisfies Partial<SystemDescriptor>;

export async function connectZookeeper(node: Node): Promise<Client> {
  // Given only a minority node, the library keeps trying forever without an error: bound it.
  const client = zookeeper.createClient(`${node.address}:${ZK_PORT}`, { sessionTimeout: 10_000, spinDelay: 200, retries: 0 });
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CONNECT_TIMEOUT_MS)));
  client.connect();
  const outcome = await Promise.race([connected, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    client.close();
    throw new InfrastructureError(
      `ZooKeeper on ${node.name} (${node.address}:${ZK_PORT}) did not accept a session within ${CONNECT_TIMEOUT_MS / 1000} s`,
      'a node without quorum never answers; check the cluster with `faultline cluster ls`',
    );
  }
  return client;
}

export async function closeZookeeper(client: Client): Promise<void> {
  client.close();
}
