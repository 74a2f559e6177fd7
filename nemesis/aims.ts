import type { Cluster, Node } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import { sleepMs } from '../src/runner/async.js';
import type { SystemDescriptor as System } from '../src/systems/descriptor.js';
import type { StateTarget } from './targets.js';

/** What a run tells faults aimed at a state: the lease TTL its clients keep alive, the snapshot interval it set. */
export interface AimSettings {
  /** The lock/election TTL of the workload (ms): leases live this long without keep-alives. */
  readonly leaseTtlMs: number;
  /** The value of the system's snapshot option (`--etcd-snapshot-count`), when set. */
  readonly snapshotCount?: number;
}

/**
 * A fault aimed at a state: what was seen before it was applied (`before`, recorded with the
 * start), a wait until the fault may be undone (the state reached, or a bound passed), and what
 * was seen after it was undone — including `reached`, which is true only when evidence of the
 * state was seen (a new term, a snapshot transfer), never assumed.
 */
type Record_ = { [k: string]: Json };

export interface Aim {
  readonly target: StateTarget;
  readonly before: { [k: string]: Json };
  hold(signal: AbortSignal): Promise<{ [k: string]: Json }>;
  after(signal: AbortSignal): Promise<{ [k: string]: Json }>;
}

function nodeByName(cluster: Cluster, name: string): Node {
  const node = cluster.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node named ${name} in cluster ${cluster.id}`);
  return node;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Polls `check` every `everyMs` until it is true, `boundMs` passed, or the signal fires; true when it became true. */
export async function pollUntil(check: () => Promise<boolean>, boundMs: number, signal: AbortSignal, everyMs = 500): Promise<boolean> {
  const until = Date.now() + boundMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= until || signal.aborted) return false;
    await sleepMs(Math.min(everyMs, Math.max(0, until - Date.now())));
  }
}

/**
 * `leader-lease` on pause: the leader is paused for at least the election timeout plus the
 * lease TTL, so the others elect a new leader and every lease kept alive through the old one
 * has run out by its clock before it resumes. Evidence: the term and the live leases (etcd
 * `lease list`, ZooKeeper sessions) before, the term after; reached when leases were alive
 * when it was paused and the term moved while it was.
 */
export async function leaderLeaseAim(system: System, cluster: Cluster, leader: string, settings: AimSettings): Promise<Aim> {
  const support = system.states?.leaderLease;
  if (support === undefined) throw new Error(`${system.name} declares no election timeout: leader-lease cannot be aimed`);
  const minHoldMs = support.electionTimeoutMs + Math.max(support.electionTimeoutMs, settings.leaseTtlMs);
  const seen = await support.evidence(nodeByName(cluster, leader)).catch((err: unknown) => message(err));
  const before: { [k: string]: Json } = { state: 'leader keeping leases alive, paused past the election timeout and the lease TTL', electionTimeoutMs: support.electionTimeoutMs, leaseTtlMs: settings.leaseTtlMs, minHoldMs };
  if (typeof seen === 'string') before['evidenceError'] = seen;
  else Object.assign(before, { termBefore: seen.term, leasesBefore: seen.leases });
  const pausedAt = Date.now();
  return {
    target: 'leader-lease',
    before,
    async hold(signal) {
      const left = pausedAt + minHoldMs - Date.now();
      if (left > 0 && !signal.aborted) await sleepMs(left);
      return { heldMs: Date.now() - pausedAt };
    },
    async after(): Promise<Record_> {
      // Read through another node: the old leader has only just resumed.
      const other = cluster.nodes.find((n) => n.name !== leader);
      const now = other === undefined ? 'no other node' : await support.evidence(other).catch((err: unknown) => message(err));
      if (typeof now === 'string' || typeof seen === 'string') return { reached: false, why: typeof now === 'string' ? now : String(seen) };
      const termMoved = now.term > seen.term;
      const reached = seen.leases > 0 && termMoved;
      const why = reached ? `${seen.leases} lease(s) alive at the pause; term ${seen.term} → ${now.term} while paused` : seen.leases === 0 ? 'no lease was alive when the leader was paused' : `the term stayed ${seen.term}: no new leader was elected`;
      return { termAfter: now.term, leasesAfter: now.leases, reached, why };
    },
  };
}

/** How long a lagging-follower partition waits for the lag, and then for the snapshot. */
export const LAG_BOUND_MS = 20_000;
export const SNAPSHOT_WAIT_MS = 25_000;
/** The workload gets this long to build the lag alone before filler entries are written. */
const FILL_AFTER_MS = 2_000;

/**
 * `lagging-follower` on partition: `follower` is cut off until the leader's log is ahead of it
 * by more than the system keeps for catching up (etcd: the snapshot count plus the 5000
 * entries it keeps after a snapshot; ZooKeeper: its in-memory commit log), writing filler
 * entries to a key no workload uses when the workload is too slow; after healing it waits for
 * the follower's snapshot-received count to rise. Reached only when it did.
 */
export async function laggingFollowerAim(system: System, cluster: Cluster, follower: string, settings: AimSettings, leaderOf: (signal: AbortSignal) => Promise<string | undefined>): Promise<Aim> {
  const support = system.states?.snapshots;
  if (support === undefined || settings.snapshotCount === undefined) throw new Error(`${system.name} has no snapshot option set: lagging-follower cannot be aimed`);
  const lagNeeded = support.lagNeeded(settings.snapshotCount);
  const node = nodeByName(cluster, follower);
  const transfersBefore = await support.transfers(node).catch(() => undefined);
  // Read before the cut: a cut-off ZooKeeper follower stops serving and cannot tell its zxid.
  const positionAtCut = await support.position(node).catch(() => undefined);
  const before: { [k: string]: Json } = { state: 'follower cut off until it needs a snapshot to catch up', snapshotCount: settings.snapshotCount, lagNeeded };
  if (transfersBefore !== undefined) before['snapshotsReceivedBefore'] = transfersBefore.received;
  const startedAt = Date.now();
  return {
    target: 'lagging-follower',
    before,
    async hold(signal) {
      let lag = -1;
      let filled = 0;
      const measure = async (): Promise<number> => {
        const name = await leaderOf(signal);
        if (name === undefined || name === follower) return -1;
        const [ahead, now] = await Promise.all([support.position(nodeByName(cluster, name)), support.position(node).catch(() => undefined)]);
        const behind = Math.max(now ?? -Infinity, positionAtCut ?? -Infinity);
        if (!Number.isFinite(behind)) return -1;
        lag = ahead - behind;
        return lag;
      };
      const reachedLag = await pollUntil(
        async () => {
          if ((await measure()) >= lagNeeded) return true;
          // The workload alone is too slow: push the leader's log the rest of the way.
          if (support.fill !== undefined && lag >= 0 && Date.now() - startedAt >= FILL_AFTER_MS) {
            const name = await leaderOf(signal);
            if (name !== undefined && name !== follower) filled += await support.fill(cluster, nodeByName(cluster, name), lagNeeded - lag + 50, signal).catch(() => 0);
            return (await measure()) >= lagNeeded;
          }
          return false;
        },
        LAG_BOUND_MS,
        signal,
      );
      return { lag, lagReached: reachedLag, fillerEntries: filled, heldMs: Date.now() - startedAt };
    },
    async after(signal): Promise<Record_> {
      if (transfersBefore === undefined) return { reached: false, why: `the snapshot count of ${follower} could not be read before the partition` };
      let received = transfersBefore.received;
      const seen = await pollUntil(
        async () => {
          received = (await support.transfers(node)).received;
          return received > transfersBefore.received;
        },
        SNAPSHOT_WAIT_MS,
        signal,
      );
      return {
        snapshotsReceivedAfter: received,
        reached: seen,
        why: seen ? `${follower} received ${received - transfersBefore.received} snapshot(s) after healing` : `${follower} received no snapshot within ${SNAPSHOT_WAIT_MS / 1000} s of healing`,
      };
    },
  };
}

/** How long a primary-with-clients partition waits for the majority side to promote a replica. */
export const FAILOVER_WAIT_MS = 10_000;

/**
 * `primary-with-clients` on partition (Redis): the primary is cut off from every other node,
 * and besides, drops new connections from the addresses its clients connect from — so the
 * client processes connected to it when the partition began stay with it on the minority side,
 * and every connection made afterwards (a process after an `info`, a lookup through a replica)
 * lands on the majority side. Its stop waits (up to 10 s) for the majority side to promote
 * another primary (`newPrimary`, null when none did). Evidence: the clients connected at the
 * cut, and the commands the cut-off primary processed meanwhile (faultline's own INFO among
 * them); reached when at least one client was with it.
 */
export async function primaryWithClientsAim(system: System, cluster: Cluster, primary: string): Promise<Aim & { readonly clientAddresses: readonly string[]; readonly port: number }> {
  const support = system.states?.primaryClients;
  if (support === undefined) throw new Error(`${system.name} cannot list its primary's clients: primary-with-clients cannot be aimed`);
  const node = nodeByName(cluster, primary);
  const nodeAddresses = new Set(cluster.nodes.map((n) => n.address));
  const clients = (await support.clients(node).catch(() => [] as string[])).filter((a) => !nodeAddresses.has(a));
  const commandsBefore = await support.commands(node).catch(() => undefined);
  const clientAddresses = [...new Set(clients)].sort();
  const before: { [k: string]: Json } = { state: 'primary cut off with the clients connected to it', clientsConnected: clients.length, clientAddresses };
  return {
    target: 'primary-with-clients',
    before,
    clientAddresses,
    port: support.port,
    async hold(signal): Promise<Record_> {
      // The majority side's failover (Sentinel), when there is one: bounded, recorded either way.
      const others = cluster.nodes.filter((n) => n.name !== primary);
      let promoted: string | undefined;
      await pollUntil(
        async () => {
          for (const n of others) if (await support.isPrimary(n).catch(() => false)) promoted = n.name;
          return promoted !== undefined;
        },
        FAILOVER_WAIT_MS,
        signal,
      );
      const commands = await support.commands(node).catch(() => undefined);
      return {
        newPrimary: promoted ?? null,
        ...(commandsBefore === undefined || commands === undefined ? {} : { commandsWhileCutOff: commands - commandsBefore }),
      };
    },
    async after() {
      const reached = clients.length > 0;
      return { reached, why: reached ? `${clients.length} client connection(s) stayed with ${primary} on the minority side` : `no client was connected to ${primary} when it was cut off` };
    },
  };
}

/** The record of an aim: what was aimed at and what was seen, under `aim` in a fault's details. */
export function aimJson(aim: Aim, parts: readonly { [k: string]: Json }[]): { [k: string]: Json } {
  return Object.assign({ target: aim.target }, aim.before, ...parts);
}
