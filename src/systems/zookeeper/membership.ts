import type { Cluster, Node } from '../../cluster/node.js';
import { run, sh } from '../../cluster/node.js';
import { sleep, stopDaemon } from '../daemon.js';
import type { Membership } from '../descriptor.js';
import { ZK_CONF_DIR, ZK_PORT, zkServerLine } from './config.js';
import { zookeeperServer } from './server.js';

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
/** A joiner must have synced with the leader before `reconfig -add` can commit: retried this long. */
const JOIN_MS = 20_000;

/** One zkCli command against the local server; its output (zkCli exits 0 even when the command failed). */
async function zkCli(node: Node, command: string): Promise<string> {
  const r = await sh(node, `${ZKCLI} -server 127.0.0.1:${ZK_PORT} ${command} 2>&1`, { timeoutMs: 20_000 });
  return r.stdout;
}

function committed(output: string): boolean {
  return output.includes('Committed new configuration');
}

/** zkCli's own complaint, without the JVM's chatter. */
function complaint(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('WATCHER') && !l.startsWith('WatchedEvent'));
  return lines.find((l) => /KeeperErrorCode|Exception|error/i.test(l)) ?? lines.at(-1) ?? 'no output';
}

function id(cluster: Cluster, node: Node): number {
  return cluster.nodes.findIndex((n) => n.name === node.name) + 1;
}

/** The other members, in order, whose server answers `config`: changes go through them. */
async function others(cluster: Cluster, node: Node): Promise<{ via: Node; config: string }> {
  for (const other of cluster.nodes) {
    if (other === node) continue;
    const config = await zkCli(other, 'config').catch(() => '');
    if (/^server\.\d+=/m.test(config)) return { via: other, config };
  }
  throw new Error(`no other ZooKeeper server answers, so ${node.name}'s membership cannot be changed`);
}

async function listed(cluster: Cluster, node: Node): Promise<boolean> {
  const { config } = await others(cluster, node);
  return new RegExp(`^server\\.${id(cluster, node)}=`, 'm').test(config);
}

/**
 * ZooKeeper's dynamic reconfiguration (3.5+): `reconfig -remove ID` through another server,
 * then the removed server is stopped; to come back it starts from empty data with the whole
 * ensemble in its config, syncs from the leader, and `reconfig -add` makes it a voter again —
 * the order ZooKeeper's reconfiguration guide gives.
 */
export const zookeeperMembership: Membership = {
  async remove(cluster, node) {
    const { via } = await others(cluster, node);
    const out = await zkCli(via, `reconfig -remove ${id(cluster, node)}`);
    // A lost connection leaves the change's fate unknown: the ensemble's config says what
    // really happened, and a removed server must not keep serving clients from old state.
    if (!committed(out) && (await listed(cluster, node))) throw new Error(complaint(out));
    await stopDaemon(node, 'zookeeper');
  },
  async add(cluster, node) {
    if (await listed(cluster, node)) return 'member';
    const { via } = await others(cluster, node);
    await stopDaemon(node, 'zookeeper');
    await zookeeperServer.wipe(cluster, node);
    await run(node, ['sh', '-c', `rm -f ${ZK_CONF_DIR}/zoo.cfg.dynamic.* ${ZK_CONF_DIR}/zoo.cfg.bak`]);
    await zookeeperServer.configure(cluster, node);
    await zookeeperServer.start(cluster, node);
    const line = zkServerLine(id(cluster, node), node.address);
    const until = Date.now() + JOIN_MS;
    for (;;) {
      const out = await zkCli(via, `reconfig -add "${line}"`);
      if (committed(out)) return 'added';
      if (Date.now() > until) throw new Error(`${node.name} did not rejoin within ${JOIN_MS / 1000} s: ${complaint(out)}`);
      await sleep(1_000);
    }
  },
};
