import zookeeper from 'node-zookeeper-client';
import type { Cluster, Node } from '../../cluster/node.js';
import { sh } from '../../cluster/node.js';
import type { SnapshotTransfers, StateSupport } from '../descriptor.js';
import { ZK_DEFAULT_COMMIT_LOG, ZK_LOG, ZK_PORT, parseMntr, parseZxid } from './config.js';
import { closeZookeeper, connectZookeeper } from './server.js';
import { create, setData } from './znodes.js';

/** The znode filler entries go to: no workload uses it. */
export const FILLER_ZNODE = '/faultline-filler';
const FILL_CONCURRENCY = 16;
/** syncLimit × tickTime of the zoo.cfg faultline writes: how long followers wait on a silent leader. */
const ZK_ELECTION_TIMEOUT_MS = 5 * 2_000;
/** What ZooKeeper logs when a learner syncs by snapshot (Learner) and when a leader sends one (LearnerHandler). */
export const SNAP_RECEIVED_LINE = 'Getting a snapshot from leader';
export const SNAP_SENT_LINE = 'Sending snapshot last zxid of peer';

async function fourLetters(node: Node, word: string): Promise<string> {
  const r = await sh(node, `echo ${word} | nc -q 1 127.0.0.1 ${ZK_PORT}`, { timeoutMs: 5_000 });
  if (r.exitCode !== 0) throw new Error(`${word} on ${node.name} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

async function zxid(node: Node): Promise<{ epoch: number; counter: number }> {
  const out = await fourLetters(node, 'srvr');
  const z = parseZxid(out);
  if (z === undefined) throw new Error(`no zxid in srvr of ${node.name} (not serving?)`);
  return z;
}

/** Counts the snapshot sync lines in a node's log: the sync mode ZooKeeper itself reports. */
async function transfers(node: Node): Promise<SnapshotTransfers> {
  const count = async (line: string): Promise<number> => Number((await sh(node, `grep -c '${line}' ${ZK_LOG} || true`, { timeoutMs: 5_000 })).stdout.trim() || '0');
  const [sent, received] = await Promise.all([count(SNAP_SENT_LINE), count(SNAP_RECEIVED_LINE)]);
  return { sent, received };
}

/** Sets FILLER_ZNODE `entries` times through `leader`; each setData is one proposal. */
async function fill(_cluster: Cluster, leader: Node, entries: number, signal: AbortSignal): Promise<number> {
  const client = await connectZookeeper(leader);
  let written = 0;
  try {
    await create(client, FILLER_ZNODE, Buffer.from('0'), zookeeper.CreateMode.PERSISTENT).catch(() => undefined);
    const worker = async (): Promise<void> => {
      while (written < entries && !signal.aborted) {
        written++;
        await setData(client, FILLER_ZNODE, Buffer.from(String(written)), -1);
      }
    };
    await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
  } finally {
    await closeZookeeper(client);
  }
  return written;
}

/**
 * ZooKeeper under faults aimed at a state: followers give up on a silent leader after
 * syncLimit × tickTime (10 s here); the epoch (high half of the zxid) is the term and the
 * sessions are the leases (`mntr` zk_global_sessions on the leader); a follower behind by more
 * than the leader's commit log (commitLogCount, set with snapCount; at least 500 by default)
 * is synced by snapshot, which both sides log.
 */
export const zookeeperStates: StateSupport = {
  leaderLease: {
    electionTimeoutMs: ZK_ELECTION_TIMEOUT_MS,
    async evidence(node) {
      const [z, mntr] = await Promise.all([zxid(node), fourLetters(node, 'mntr')]);
      return { term: z.epoch, leases: parseMntr(mntr, 'zk_global_sessions') ?? parseMntr(mntr, 'zk_num_alive_connections') ?? 0 };
    },
  },
  snapshots: {
    option: 'snapshot-count',
    // Above both the commit log asked for and ZooKeeper's default one, with a margin.
    lagNeeded: (snapshotCount) => Math.max(snapshotCount, ZK_DEFAULT_COMMIT_LOG) + 100,
    position: async (node) => {
      const z = await zxid(node);
      return z.epoch * 2 ** 32 + z.counter;
    },
    transfers,
    fill,
  },
};
