import type { Cluster, Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import { startDaemon, stopDaemon, removeData } from '../daemon.js';
import type { Membership } from '../descriptor.js';
import { ETCD_DATA, ETCD_LOG, ETCD_PEER_PORT, ETCD_PORT, etcdArgv, memberId } from './config.js';

async function etcdctl(node: Node, args: readonly string[]): Promise<string> {
  return run(node, ['etcdctl', `--endpoints=http://127.0.0.1:${ETCD_PORT}`, '--command-timeout=4s', ...args], { env: { ETCDCTL_API: '3' }, timeoutMs: 8_000 });
}

/** The first other node whose etcd answers a member list: the change is made through it. */
async function viaOther(cluster: Cluster, node: Node): Promise<{ via: Node; list: string }> {
  for (const other of cluster.nodes) {
    if (other === node) continue;
    const list = await etcdctl(other, ['member', 'list']).catch(() => undefined);
    if (list !== undefined) return { via: other, list };
  }
  throw new Error(`no other etcd member answers a member list, so ${node.name}'s membership cannot be changed`);
}

/**
 * etcd's runtime reconfiguration: `member remove` (the removed member stops itself; its old
 * data can never rejoin), and `member add` followed by a start from empty data with
 * `--initial-cluster-state existing`, as etcd's runtime-configuration guide prescribes.
 */
export const etcdMembership: Membership = {
  async remove(cluster, node) {
    const { via, list } = await viaOther(cluster, node);
    const id = memberId(list, node.name);
    if (id === undefined) throw new Error(`${node.name} is not in the member list`);
    // etcd refuses a removal that could break quorum (--strict-reconfig-check): say its words.
    await etcdctl(via, ['member', 'remove', id]).catch((err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      throw new Error(/Error: (.*)/.exec(text)?.[1] ?? text);
    });
    await stopDaemon(node, 'etcd');
  },
  async add(cluster, node) {
    const { via, list } = await viaOther(cluster, node);
    if (memberId(list, node.name) !== undefined) return 'member';
    await stopDaemon(node, 'etcd');
    await removeData(node, ETCD_DATA);
    await run(node, ['mkdir', '-p', ETCD_DATA]);
    await etcdctl(via, ['member', 'add', node.name, `--peer-urls=http://${node.address}:${ETCD_PEER_PORT}`]);
    const argv = etcdArgv(node, cluster.nodes, `faultline-${cluster.id}`, 'existing');
    await startDaemon(node, { name: 'etcd', argv, logFile: ETCD_LOG, env: {} });
    return 'added';
  },
};
