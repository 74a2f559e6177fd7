/** Pure command-line rendering for etcd (it takes its config as flags): tested without a cluster. */
export const ETCD_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_DATA = '/var/lib/faultline/etcd';
export const ETCD_LOG = '/var/log/faultline/etcd.log';

export interface EtcdMember {
  readonly name: string;
  readonly address: string;
}

/**
 * A static cluster that advertises addresses, not names (the host cannot resolve node names).
 * The same command restarts a member on its existing data. `existing`: a member just added
 * back with `member add` joins the running cluster from empty data.
 */
export function etcdArgv(self: EtcdMember, members: readonly EtcdMember[], token: string, state: 'new' | 'existing' = 'new', snapshotCount?: number): string[] {
  return [
    'etcd',
    '--name', self.name,
    '--data-dir', ETCD_DATA,
    '--listen-client-urls', `http://0.0.0.0:${ETCD_PORT}`,
    '--advertise-client-urls', `http://${self.address}:${ETCD_PORT}`,
    '--listen-peer-urls', `http://0.0.0.0:${ETCD_PEER_PORT}`,
    '--initial-advertise-peer-urls', `http://${self.address}:${ETCD_PEER_PORT}`,
    '--initial-cluster', members.map((m) => `${m.name}=http://${m.address}:${ETCD_PEER_PORT}`).join(','),
    '--initial-cluster-state', state,
    '--initial-cluster-token', token,
    // How many applied entries between snapshots (default 100000); after one, the log keeps 5000.
    ...(snapshotCount === undefined ? [] : ['--snapshot-count', String(snapshotCount)]),
  ];
}

/**
 * From `etcdctl endpoint status -w json` on one node: its member id and whom it follows.
 * Ids are uint64 and lose precision as JSON numbers, so they are read as digit strings.
 */
export function parseEndpointStatus(json: string): { member: string; leader: string } | undefined {
  const member = /"member_id":\s*(\d+)/.exec(json)?.[1];
  const leader = /"leader":\s*(\d+)/.exec(json)?.[1];
  if (member === undefined || leader === undefined) return undefined;
  return { member, leader };
}

/** From `etcdctl member list -w json`: how many members the cluster lists. */
export function parseMemberCount(json: string): number {
  const parsed = JSON.parse(json) as { members?: unknown[] };
  return parsed.members?.length ?? 0;
}

/** From `etcdctl member list` (simple format: `id, status, name, peer urls, client urls, learner`): the id of member `name`. */
export function memberId(list: string, name: string): string | undefined {
  for (const line of list.split('\n')) {
    const cols = line.split(',').map((c) => c.trim());
    if (cols[2] === name && /^[0-9a-f]+$/.test(cols[0] ?? '')) return cols[0];
  }
  return undefined;
}

/** etcd 3.4 keeps this many entries in its log after a snapshot (snapshotCatchUpEntries, not configurable in 3.4). */
export const ETCD_CATCH_UP_ENTRIES = 5000;

/** From `etcdctl endpoint status -w json`: the node's Raft index and term. */
export function parseRaftPosition(json: string): { index: number; term: number } | undefined {
  const index = /"raftIndex":\s*(\d+)/.exec(json)?.[1];
  const term = /"raft_term":\s*(\d+)/.exec(json)?.[1];
  if (index === undefined || term === undefined) return undefined;
  return { index: Number(index), term: Number(term) };
}

/** From etcd's Prometheus metrics: the snapshots this member sent and received (counters appear at the first one). */
export function parseSnapshotMetrics(metrics: string): { sent: number; received: number } {
  const sum = (name: string): number =>
    metrics
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { sent: sum('etcd_network_snapshot_send_success'), received: sum('etcd_network_snapshot_receive_success') };
}

/** From `etcdctl lease list`: how many leases exist ("found 2 leases"). */
export function parseLeaseCount(out: string): number | undefined {
  const n = /found (\d+) leases/.exec(out)?.[1];
  return n === undefined ? undefined : Number(n);
}
