import type { Cluster, Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import type { StateSupport } from '../descriptor.js';
import { ETCD_CATCH_UP_ENTRIES, ETCD_PORT, parseLeaseCount, parseRaftPosition, parseSnapshotMetrics } from './config.js';
import { closeEtcd, connectEtcd } from './server.js';

/** The key filler entries go to: no workload uses it (theirs are named by the workload). */
export const FILLER_KEY = 'faultline-filler';
const FILL_CONCURRENCY = 32;

async function etcdctl(node: Node, args: readonly string[]): Promise<string> {
  return run(node, ['etcdctl', `--endpoints=http://127.0.0.1:${ETCD_PORT}`, '--command-timeout=2s', ...args], { env: { ETCDCTL_API: '3' }, timeoutMs: 5_000 });
}

async function raftPosition(node: Node): Promise<{ index: number; term: number }> {
  const out = await etcdctl(node, ['endpoint', 'status', '-w', 'json']);
  const position = parseRaftPosition(out);
  if (position === undefined) throw new Error(`no raft index in the status of ${node.name}: ${out.slice(0, 200)}`);
  return position;
}

/** Puts `entries` values to FILLER_KEY through `leader`, 32 at a time; each put is one Raft entry. */
async function fill(_cluster: Cluster, leader: Node, entries: number, signal: AbortSignal): Promise<number> {
  const client = await connectEtcd(leader);
  let written = 0;
  try {
    const worker = async (): Promise<void> => {
      while (written < entries && !signal.aborted) {
        written++;
        await client.put(FILLER_KEY).value(String(written));
      }
    };
    await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
  } finally {
    await closeEtcd(client);
  }
  return written;
}

/**
 * etcd under faults aimed at a state: followers elect after --election-timeout (1000 ms by
 * default, what faultline runs); leases are listed by `lease list`; a follower needs a snapshot
 * when it is behind the leader's compacted log — more than --snapshot-count plus the 5000
 * entries kept after a snapshot; the snapshots each member sent and received are its
 * `etcd_network_snapshot_{send,receive}_success` metrics.
 */
export const etcdStates: StateSupport = {
  leaderLease: {
    electionTimeoutMs: 1_000,
    async evidence(node) {
      const [position, leases] = await Promise.all([raftPosition(node), etcdctl(node, ['lease', 'list'])]);
      return { term: position.term, leases: parseLeaseCount(leases) ?? 0 };
    },
  },
  snapshots: {
    option: 'snapshot-count',
    lagNeeded: (snapshotCount) => snapshotCount + ETCD_CATCH_UP_ENTRIES,
    position: async (node) => (await raftPosition(node)).index,
    transfers: async (node) => parseSnapshotMetrics(await run(node, ['curl', '-s', '--max-time', '3', `http://127.0.0.1:${ETCD_PORT}/metrics`], { timeoutMs: 5_000 })),
    fill,
  },
};
