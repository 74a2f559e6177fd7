import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Cluster, Node } from '../../../src/cluster/node.js';
import { UsageError } from '../../../src/errors.js';
import { planRun } from '../../../src/execute/plan.js';
import { RandomStreams } from '../../../src/generator/random.js';
import { simulate } from '../../../src/generator/simulate.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';
import type { LeaseEvidence, SnapshotTransfers, SystemDescriptor } from '../../../src/systems/descriptor.js';
import { builtinSystem } from '../../../src/systems/index.js';
import { parseLeaseCount, parseRaftPosition, parseSnapshotMetrics } from '../../../src/systems/etcd/config.js';
import { parseClientAddresses, parseCommandsProcessed } from '../../../src/systems/redis/states.js';
import { parseMntr, parseZxid } from '../../../src/systems/zookeeper/config.js';
import { laggingFollowerAim, leaderLeaseAim } from '../../../nemesis/aims.js';
import { faultSchedule } from '../../../nemesis/index.js';
import { dropNewConnectionsScript } from '../../../nemesis/partition.js';
import { NODE_TARGETS, STATE_TARGETS, type TargetSpec, selectTargets, targetsFor } from '../../../nemesis/targets.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);

/** Brute force: every answer selectTargets may give for a state target. */
function allowed(spec: (typeof STATE_TARGETS)[number], nodes: readonly string[], leader: string | undefined): string[][] {
  if (leader === undefined || !nodes.includes(leader)) return [[]];
  if (spec === 'lagging-follower') {
    const followers = nodes.filter((n) => n !== leader);
    return followers.length === 0 ? [[]] : followers.map((f) => [f]);
  }
  return [[leader]];
}

describe('state targets: which node each aims at', () => {
  it('leader-lease and primary-with-clients take the leader, lagging-follower one follower; none without a known leader', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer(), fc.option(fc.integer({ min: 0, max: 10 })), fc.constantFrom(...STATE_TARGETS), (n, seed, leaderAt, spec) => {
        const nodes = names(n);
        const leader = leaderAt === null ? undefined : `n${leaderAt}`;
        const got = selectTargets(spec, nodes, new RandomStreams(seed).stream('faults'), leader === undefined ? [] : [leader]);
        assert.ok(
          allowed(spec, nodes, leader).some((a) => JSON.stringify(a) === JSON.stringify(got)),
          `${spec} on ${n} nodes, leader ${leader}: ${got.join(',')}`,
        );
      }),
    );
  });

  it('lagging-follower reaches every follower over seeds, never the leader', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) for (const t of selectTargets('lagging-follower', names(5), new RandomStreams(seed).stream('faults'), ['n3'])) seen.add(t);
    assert.deepEqual([...seen].sort(), ['n1', 'n2', 'n4', 'n5']);
  });

  it('each kind draws only the targets it can take', () => {
    const all: TargetSpec[] = [...NODE_TARGETS, ...STATE_TARGETS];
    assert.deepEqual(targetsFor('pause', all), [...NODE_TARGETS, 'leader-lease']);
    assert.deepEqual(targetsFor('kill', all), [...NODE_TARGETS]);
    assert.deepEqual(targetsFor('partition', all), ['lagging-follower', 'primary-with-clients']);
    assert.deepEqual(targetsFor('partition', ['one', 'leader']), []);
  });

  it('the schedule gives a pause leader-lease and a partition its state target, and shapes otherwise', () => {
    const plan = { kinds: ['partition', 'pause', 'kill'] as const, intervalMs: 100, partitions: ['halves'] as const, targets: ['one', 'leader-lease', 'lagging-follower'] as const };
    const starts = simulate(faultSchedule(plan), { concurrency: 1, seed: 3, nemesis: true, maxOps: 200 }).filter((e) => e.type === 'invoke' && e.f.startsWith('start-'));
    const values = (f: string): Set<unknown> => new Set(starts.filter((e) => e.f === f).map((e) => e.value));
    assert.deepEqual(values('start-partition'), new Set(['lagging-follower']));
    assert.deepEqual(values('start-pause'), new Set(['one', 'leader-lease']));
    assert.deepEqual(values('start-kill'), new Set(['one']));
    const plain = simulate(faultSchedule({ ...plan, targets: ['one'] as const }), { concurrency: 1, seed: 3, nemesis: true, maxOps: 60 });
    assert.ok(plain.filter((e) => e.f === 'start-partition' && e.type === 'invoke').every((e) => e.value === 'halves'));
  });
});

describe('state targets: refused before anything starts', () => {
  const plan = (o: Record<string, unknown>) => planRun(parseTestSpec({ workload: 'register', seed: 1, ...o }));
  const refuses = async (o: Record<string, unknown>, pattern: RegExp): Promise<void> => {
    await assert.rejects(plan(o), (err: unknown) => err instanceof UsageError && pattern.test(err.message));
  };

  it('refuses systems without the support, and kinds that are not run', async () => {
    await refuses({ system: 'consul', nemesis: ['pause'], targets: ['leader-lease'] }, /consul cannot take the leader-lease target/);
    await refuses({ system: 'redis', nemesis: ['partition'], targets: ['lagging-follower'] }, /redis cannot take the lagging-follower target/);
    await refuses({ system: 'etcd', nemesis: ['partition'], targets: ['primary-with-clients'] }, /etcd cannot take the primary-with-clients target/);
    await refuses({ system: 'etcd', nemesis: ['partition'], targets: ['lagging-follower'] }, /--etcd-snapshot-count/);
    await refuses({ system: 'etcd', nemesis: ['kill'], targets: ['leader-lease'] }, /aims a pause fault, and --nemesis has no pause/);
    await refuses({ system: 'etcd', nemesis: ['kill', 'pause'], targets: ['leader-lease'] }, /the kill fault has no target/);
  });

  it('accepts the supported ones and hands the snapshot count and lease TTL to the nemesis', async () => {
    const p = await plan({ system: 'etcd', nemesis: ['partition', 'pause'], targets: ['lagging-follower', 'leader-lease'], systemOptions: { 'snapshot-count': 100 }, lockTtlMs: 4000 });
    assert.deepEqual(p.nemesis.aim, { leaseTtlMs: 4000, snapshotCount: 100 });
    await plan({ system: 'zookeeper', nemesis: ['pause'], targets: ['leader-lease'] });
    await plan({ system: 'redis', nemesis: ['partition'], targets: ['primary-with-clients'], systemOptions: { sentinel: true } });
  });
});

describe('state evidence parsers', () => {
  it('read etcd status, metrics and leases', () => {
    assert.deepEqual(parseRaftPosition('[{"Status":{"header":{"member_id":1,"raft_term":4},"leader":1,"raftIndex":5240,"raftTerm":4}}]'), { index: 5240, term: 4 });
    assert.equal(parseRaftPosition('{}'), undefined);
    const metrics = ['# HELP etcd_network_snapshot_send_success x', 'etcd_network_snapshot_send_success{To="2a19"} 2', 'etcd_network_snapshot_send_success{To="77"} 1', 'etcd_network_snapshot_receive_success{From="d25e"} 1', 'etcd_network_snapshot_send_failures{To="2a19"} 5'].join('\n');
    assert.deepEqual(parseSnapshotMetrics(metrics), { sent: 3, received: 1 });
    assert.deepEqual(parseSnapshotMetrics(''), { sent: 0, received: 0 });
    assert.equal(parseLeaseCount('found 9 leases\n694d8a1b2c3d\n'), 9);
  });

  it('read ZooKeeper zxids and mntr, Redis clients and commands', () => {
    assert.deepEqual(parseZxid('Zookeeper version: 3.8.0\nZxid: 0x20000040b\nMode: leader\n'), { epoch: 2, counter: 0x40b });
    assert.equal(parseZxid('This ZooKeeper instance is not currently serving requests'), undefined);
    assert.equal(parseMntr('zk_version\t3.8\nzk_global_sessions\t26\n', 'zk_global_sessions'), 26);
    const list = ['id=3 addr=10.1.0.1:5123 laddr=10.1.0.11:6379 fd=8 flags=N cmd=get', 'id=4 addr=10.1.0.12:6379 laddr=x fd=9 flags=S cmd=replconf', 'id=5 addr=127.0.0.1:40000 flags=N', 'id=6 addr=10.1.0.1:5124 flags=N'].join('\n');
    assert.deepEqual(parseClientAddresses(list), ['10.1.0.1', '10.1.0.1']);
    assert.equal(parseCommandsProcessed('# Stats\r\ntotal_connections_received:4\r\ntotal_commands_processed:812\r\n'), 812);
    assert.equal(dropNewConnectionsScript(6379, ['10.1.0.1']), 'iptables -w -A FAULTLINE-IN -p tcp --dport 6379 --syn -s 10.1.0.1 -j DROP');
    assert.throws(() => dropNewConnectionsScript(6379, ['10.1.0.1; rm -rf /']));
  });
});

/** A system whose state evidence is scripted, to judge the aims' verdicts both ways. */
function scripted(o: { lease?: LeaseEvidence[]; positions?: Record<string, number>; received?: number[] }): { system: SystemDescriptor; cluster: Cluster } {
  const base = builtinSystem('etcd');
  const lease = [...(o.lease ?? [])];
  const received = [...(o.received ?? [])];
  const system: SystemDescriptor = {
    ...base,
    states: {
      leaderLease: { electionTimeoutMs: 1, evidence: async () => lease.shift() ?? { term: 0, leases: 0 } },
      snapshots: {
        option: 'snapshot-count',
        lagNeeded: (c) => c,
        position: async (node: Node) => o.positions?.[node.name] ?? 0,
        transfers: async (): Promise<SnapshotTransfers> => ({ sent: 0, received: received.length > 1 ? (received.shift() ?? 0) : (received[0] ?? 0) }),
      },
    },
  };
  const nodes: Node[] = names(3).map((name, i) => ({ name, address: `10.0.0.${i + 1}`, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), copyOut: async () => undefined, writeFile: async () => undefined }));
  return { system, cluster: { id: 'c', name: 'c', system: 'etcd', nodes } };
}

describe('aims say reached only on evidence', () => {
  const never = new AbortController().signal;
  const aborted = AbortSignal.abort();

  it('leader-lease: reached when leases were alive and the term moved; not when either is missing', async () => {
    const cases: [LeaseEvidence, LeaseEvidence, boolean][] = [
      [{ term: 2, leases: 3 }, { term: 3, leases: 1 }, true],
      [{ term: 2, leases: 0 }, { term: 3, leases: 0 }, false],
      [{ term: 2, leases: 3 }, { term: 2, leases: 3 }, false],
    ];
    for (const [before, after, reached] of cases) {
      const { system, cluster } = scripted({ lease: [before, after] });
      const aim = await leaderLeaseAim(system, cluster, 'n1', { leaseTtlMs: 5 });
      assert.equal(aim.before['minHoldMs'], 6);
      const held = await aim.hold(never);
      assert.ok(Number(held['heldMs']) >= 5);
      const seen = await aim.after(never);
      assert.equal(seen['reached'], reached, JSON.stringify(seen));
    }
  });

  it('lagging-follower: reached only when the follower received a snapshot after healing', async () => {
    const lagging = scripted({ positions: { n1: 500, n2: 10 }, received: [0, 0, 1] });
    const aim = await laggingFollowerAim(lagging.system, lagging.cluster, 'n2', { leaseTtlMs: 1, snapshotCount: 100 }, async () => 'n1');
    assert.deepEqual(await aim.hold(never).then((h) => [h['lag'], h['lagReached']]), [490, true]);
    assert.equal((await aim.after(never))['reached'], true);

    const none = scripted({ positions: { n1: 50, n2: 10 }, received: [0] });
    const missed = await laggingFollowerAim(none.system, none.cluster, 'n2', { leaseTtlMs: 1, snapshotCount: 100 }, async () => 'n1');
    assert.deepEqual(await missed.hold(aborted).then((h) => [h['lag'], h['lagReached']]), [40, false]);
    const after = await missed.after(aborted);
    assert.equal(after['reached'], false);
    assert.match(String(after['why']), /received no snapshot/);
  });
});
