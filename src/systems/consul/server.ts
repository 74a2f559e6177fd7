import Consul from 'consul';
import type { Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import { processControl, removeData, startDaemon } from '../daemon.js';
import type { Health, StartOptions, SystemDescriptor } from '../descriptor.js';
import { CONSUL_CONF, CONSUL_DATA, CONSUL_LOG, CONSUL_PORT, parseLeader, parsePeers, renderConsulConfig } from './config.js';

const DAEMON = 'consul';
export const CONSUL_REQUEST_TIMEOUT_MS = 5_000;

async function api(node: Node, path: string): Promise<string> {
  return run(node, ['curl', '-sSf', '--max-time', '2', `http://127.0.0.1:${CONSUL_PORT}${path}`], { timeoutMs: 5_000 });
}

async function leaderAddress(node: Node): Promise<string | undefined> {
  return parseLeader(await api(node, '/v1/status/leader'));
}

export const consulServer = {
  name: 'consul',
  port: CONSUL_PORT,
  logFiles: [CONSUL_LOG],
  dataDir: CONSUL_DATA,
  corruptibleFiles: [{ name: 'raft', summary: 'the Raft log and stable store (raft/raft.db, bbolt)', glob: 'raft/raft.db' }],

  async configure(cluster, node) {
    await node.writeFile(CONSUL_CONF, renderConsulConfig(node, cluster.nodes));
    await run(node, ['mkdir', '-p', CONSUL_DATA]);
  },

  async start(_cluster, node, options: StartOptions = {}) {
    const argv = ['consul', 'agent', `-config-file=${CONSUL_CONF}`];
    await startDaemon(node, { name: DAEMON, argv, logFile: CONSUL_LOG, env: options.env ?? {} });
  },
  ...processControl(DAEMON),
  wipe: (_cluster, node) => removeData(node, CONSUL_DATA),

  async probe(cluster): Promise<Health> {
    for (const node of cluster.nodes) {
      try {
        if ((await leaderAddress(node)) === undefined) return { healthy: false, node: node.name, detail: 'no leader' };
        const peers = parsePeers(await api(node, '/v1/status/peers'));
        if (peers.length !== cluster.nodes.length) {
          return { healthy: false, node: node.name, detail: `${peers.length} of ${cluster.nodes.length} raft peers` };
        }
      } catch (err) {
        return { healthy: false, node: node.name, detail: err instanceof Error ? err.message : String(err) };
      }
    }
    return { healthy: true };
  },

  async leader(cluster) {
    for (const node of cluster.nodes) {
      const address = await leaderAddress(node).catch(() => undefined);
      if (address !== undefined) return cluster.nodes.find((n) => n.address === address);
    }
    return undefined;
  },


  connectHint(cluster) {
    const first = cluster.nodes[0];
    return `consul members -http-addr=http://${first?.address ?? '?'}:${CONSUL_PORT}   (or curl http://${first?.address ?? '?'}:${CONSUL_PORT}/v1/kv/KEY)`;
  },
} satisfies Partial<SystemDescriptor>;

export async function connectConsul(node: Node): Promise<Consul> {
  // `timeout` is honoured by the library but missing from its option types.
  const options = { host: node.address, port: CONSUL_PORT, defaults: { timeout: CONSUL_REQUEST_TIMEOUT_MS } };
  return new Consul(options as ConstructorParameters<typeof Consul>[0]);
}

export async function closeConsul(client: Consul): Promise<void> {
  client.destroy();
}
