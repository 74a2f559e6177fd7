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

/** node-zookeeper-client's connection manager: its states, as it emits them (internal, untyped). */
interface ConnectionStates {
  on(event: 'state', listener: (state: number) => void): void;
  removeListener(event: 'state', listener: (state: number) => void): void;
}
/** The connection manager's DISCONNECTED (its CONNECTING is 1, CONNECTED 2). */
const CM_DISCONNECTED = 0;

/**
 * A session on `node` alone (operations go where the run routes them). Given a node without
 * quorum the library keeps trying forever without an error, so the wait is bounded; and a
 * server that ends the connection before any session exists (killed: the connection is
 * refused; electing or cut off from its quorum: it closes every client connection) fails at
 * once. Waiting out the timeout there would cost the operation's whole deadline for a node
 * that cannot answer: under kills and partitions most of a run's time went into such waits.
 */
export async function connectZookeeper(node: Node): Promise<Client> {
  const client = zookeeper.createClient(`${node.address}:${ZK_PORT}`, { sessionTimeout: 10_000, spinDelay: 200, retries: 0 });
  const manager = (client as unknown as { connectionManager: ConnectionStates }).connectionManager;
  let onState: (state: number) => void = () => undefined;
  const closedEarly = new Promise<'closed'>((resolve) => (onState = (state) => state === CM_DISCONNECTED && resolve('closed')));
  manager.on('state', onState);
  const connected = new Promise<'connected'>((resolve) => client.once('connected', () => resolve('connected')));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CONNECT_TIMEOUT_MS)));
  client.connect();
  const outcome = await Promise.race([connected, closedEarly, timedOut]);
  clearTimeout(timer);
  manager.removeListener('state', onState);
  if (outcome === 'connected') return client;
  client.close();
  const where = `ZooKeeper on ${node.name} (${node.address}:${ZK_PORT})`;
  if (outcome === 'closed') throw new InfrastructureError(`${where} ended the connection before a session existed (not running, or not serving without a quorum)`, 'a killed node refuses connections; one without quorum closes them');
  throw new InfrastructureError(`${where} did not accept a session within ${CONNECT_TIMEOUT_MS / 1000} s`, 'a node without quorum never answers; check the cluster with `faultline cluster ls`');
}

export async function closeZookeeper(client: Client): Promise<void> {
  client.close();
}
