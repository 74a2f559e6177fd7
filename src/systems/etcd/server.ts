import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { Cluster, Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import { processControl, removeData, startDaemon } from '../daemon.js';
import type { Health, StartOptions, SystemDescriptor } from '../descriptor.js';
import { ETCD_DATA, ETCD_LOG, ETCD_PORT, etcdArgv, parseEndpointStatus, parseMemberCount } from './config.js';

const DAEMON = 'etcd';
/** Every call gets a deadline: without one, a call on a minority node hangs forever. */
export const ETCD_CALL_DEADLINE_MS = 5_000;

async function etcdctl(node: Node, args: readonly string[]): Promise<string> {
  return run(node, ['etcdctl', `--endpoints=http://127.0.0.1:${ETCD_PORT}`, '--command-timeout=2s', ...args], {
    env: { ETCDCTL_API: '3' },
    timeoutMs: 5_000,
  });
}

async function status(node: Node): Promise<{ member: string; leader: string } | undefined> {
  return parseEndpointStatus(await etcdctl(node, ['endpoint', 'status', '-w', 'json']));
}

/** Starts a member on its data; `snapshotCount`: --snapshot-count (etcd's default when undefined). */
export function etcdStart(snapshotCount?: number): SystemDescriptor['start'] {
  return async (cluster, node, options: StartOptions = {}) => {
    const argv = etcdArgv(node, cluster.nodes, `faultline-${cluster.id}`, 'new', snapshotCount);
    await startDaemon(node, { name: DAEMON, argv, logFile: ETCD_LOG, env: options.env ?? {} });
  };
}

export const etcdServer = {
  name: 'etcd',
  port: ETCD_PORT,
  logFiles: [ETCD_LOG],
  dataDir: ETCD_DATA,
  corruptibleFiles: [
    { name: 'wal', summary: 'the newest WAL segment (member/wal/*.wal, preallocated to 64 MB)', glob: 'member/wal/*.wal' },
    { name: 'snapshot', summary: 'the bbolt database holding the applied state (member/snap/db)', glob: 'member/snap/db' },
  ],
  // capnslog (etcd 3.4's default logger) and zap word the WAL's slow fsync differently.
  slowDiskWarning: 'sync duration of|slow fdatasync',

  async configure(_cluster, node) {
    await run(node, ['mkdir', '-p', ETCD_DATA]);
  },

  start: etcdStart(),
  ...processControl(DAEMON),
  wipe: (_cluster, node) => removeData(node, ETCD_DATA),

  async probe(cluster): Promise<Health> {
    const statuses = await Promise.all(
      cluster.nodes.map((n) => status(n).catch((err: unknown) => (err instanceof Error ? err.message : String(err)))),
    );
    const leaders = new Set<string>();
    for (const [i, s] of statuses.entries()) {
      const name = cluster.nodes[i]?.name ?? '?';
      if (typeof s === 'string') return { healthy: false, node: name, detail: s };
      if (s === undefined) return { healthy: false, node: name, detail: 'no status' };
      if (s.leader === '0') return { healthy: false, node: name, detail: 'no leader' };
      leaders.add(s.leader);
    }
    if (leaders.size !== 1) return { healthy: false, node: cluster.nodes[0]?.name ?? '?', detail: `nodes disagree on the leader` };
    const first = cluster.nodes[0];
    if (first === undefined) return { healthy: false, node: '?', detail: 'no nodes' };
    const members = parseMemberCount(await etcdctl(first, ['member', 'list', '-w', 'json']).catch(() => '{}'));
    if (members !== cluster.nodes.length) {
      return { healthy: false, node: first.name, detail: `${members} of ${cluster.nodes.length} members listed` };
    }
    return { healthy: true };
  },

  async leader(cluster) {
    const statuses = await Promise.all(cluster.nodes.map((n) => status(n).catch(() => undefined)));
    const i = statuses.findIndex((s) => s !== undefined && s.member === s.leader);
    return i >= 0 ? cluster.nodes[i] : undefined;
  },


  connectHint(cluster) {
    const endpoints = cluster.nodes.map((n) => `http://${n.address}:${ETCD_PORT}`).join(',');
    return `ETCDCTL_API=3 etcdctl --endpoints=${endpoints} endpoint status -w table`;
  },
} satisfies Partial<SystemDescriptor>;

export async function connectEtcd(node: Node): Promise<Etcd3> {
  // The library's default retries (3 per call) and per-host circuit breaker re-send writes
  // and turn one failure into seconds of instant failures: a history must see neither.
  return new Etcd3({
    hosts: `http://${node.address}:${ETCD_PORT}`,
    dialTimeout: 5_000,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + ETCD_CALL_DEADLINE_MS }),
    faultHandling: { host: () => noop, global: noop },
  });
}

export async function closeEtcd(client: Etcd3): Promise<void> {
  client.close();
}
