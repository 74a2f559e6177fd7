import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cluster, Node } from '../../../src/cluster/node.js';
import { RandomStreams } from '../../../src/generator/random.js';
import { simulate } from '../../../src/generator/simulate.js';
import { emit, generator } from '../../../src/generator/types.js';
import type { NemesisContext } from '../../../src/runner/nemesis.js';
import { builtinSystem } from '../../../src/systems/index.js';
import { PauseBoard, clientPauseNemesis, pausable } from '../../../nemesis/client-pause.js';
import { FAKETIME_FILE, clockNemesis, clockStartOptions, faketimeOffset, parseClockChange, parseProbe, setOffsetScript } from '../../../nemesis/clock.js';
import { ALL_KINDS, NEMESIS_KINDS, expandNemesisKinds } from '../../../nemesis/kinds.js';
import { faultSchedule, nemesisWiring } from '../../../nemesis/index.js';
import { PACKET_CHAIN_OUT, packetHealScript, planPacketFault } from '../../../nemesis/packet.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';

/** Nodes that remember their scripts and answer `redis-cli TIME` with a clock `skewMs` ahead. */
function fakeCluster(skewMs = 0): { cluster: Cluster; scripts: string[] } {
  const scripts: string[] = [];
  const nodes: Node[] = ['n1', 'n2', 'n3'].map((name, i) => ({
    name,
    address: `10.0.0.${i + 11}`,
    exec: async (argv) => {
      const script = argv[argv.length - 1] ?? '';
      scripts.push(`${name}: ${script}`);
      const t = Date.now() + skewMs;
      return { stdout: script.includes('TIME') ? `${Math.floor(t / 1000)}\n${(t % 1000) * 1000}\n` : '', stderr: '', exitCode: 0 };
    },
    copyOut: async () => undefined,
    writeFile: async () => undefined,
  }));
  return { cluster: { id: 'c1', name: 'c1', system: 'redis', nodes }, scripts };
}

function ctx(cluster: Cluster, signal = new AbortController().signal): NemesisContext {
  return { nodes: cluster.nodes.map((n) => n.name), leader: async () => undefined, rng: new RandomStreams(1).stream('faults'), signal };
}


describe('--nemesis all', () => {
  it('expands to every kind but the disk faults, in one order, without duplicates', () => {
    const disk = ['lose-unfsynced', 'slow-disk', 'corrupt-file'];
    assert.deepEqual(expandNemesisKinds(['all']), NEMESIS_KINDS.filter((k) => !disk.includes(k)));
    assert.deepEqual(expandNemesisKinds(['corrupt-file', 'lose-unfsynced', 'slow-disk', 'all']), [...NEMESIS_KINDS]);
    assert.deepEqual(expandNemesisKinds(['clock', 'partition', 'clock']), ['partition', 'clock']);
    // The spec keeps `all` as given; the run plan expands it to what the system can take (test/unit/spec).
    assert.deepEqual(parseTestSpec({ system: 'redis', workload: 'register', nemesis: ['all'], seed: 1 }).nemesis, ['all']);
  });

  it('schedules every kind, each alternating start and stop, with its own start value', () => {
    const plan = { kinds: expandNemesisKinds(['all']), intervalMs: 100, partitions: ['halves'] as const, targets: ['one'] as const, clientPauseMs: 3000, clockSkewMs: 500, packet: { loss: 0.1 } };
    const history = simulate(faultSchedule(plan), { concurrency: 1, seed: 2, nemesis: true, maxOps: 120 }).filter((e) => e.type === 'invoke');
    for (const kind of ALL_KINDS) {
      const steps = history.filter((e) => e.f === `start-${kind}` || e.f === `stop-${kind}`).map((e) => e.f);
      assert.ok(steps.length >= 2, `${kind} was scheduled`);
      steps.forEach((f, i) => assert.equal(f, i % 2 === 0 ? `start-${kind}` : `stop-${kind}`));
    }
    assert.ok(history.filter((e) => e.f === 'start-client-pause').every((e) => e.value === 3000));
    assert.ok(history.filter((e) => e.f === 'start-packet').every((e) => JSON.stringify(e.value) === '{"loss":0.1,"targets":"one"}'));
    for (const e of history.filter((x) => x.f === 'start-clock')) assert.equal(Math.abs(parseClockChange(e.value).offsetMs), 500);
  });
});

describe('client-pause', () => {
  /** Each process: acquire, then work, forever. */
  const acquireThenWork = generator(() => {
    const next = new Map<number, string>();
    return {
      next: (c) => emit({ f: next.get(Number(c.thread)) ?? 'acquire', value: null }),
      update: (c) => void next.set(Number(c.thread), c.op.f === 'acquire' ? 'work' : 'acquire'),
    };
  });

  it('stalls the next process that acquires, for the armed time, and only it', () => {
    const board = new PauseBoard('acquire');
    void board.arm(1000);
    const history = simulate(pausable(acquireThenWork, board), { concurrency: 2, seed: 1, latencyMs: () => 10, maxTimeMs: 2000 });
    const invokes = history.filter((e) => e.type === 'invoke');
    const firstAcquire = history.find((e) => e.type === 'ok' && e.f === 'acquire');
    assert.ok(firstAcquire !== undefined);
    const paused = firstAcquire.process;
    const next = invokes.find((e) => e.process === paused && e.time > firstAcquire.time);
    assert.ok(next !== undefined && next.time - firstAcquire.time >= 1000 * 1e6, 'the holder waited out the pause');
    const other = invokes.filter((e) => e.process !== paused && e.time > firstAcquire.time && e.time < firstAcquire.time + 1000 * 1e6);
    assert.ok(other.length > 10, 'the other process kept going');
  });

  it('does nothing unless armed, and releaseAll ends a stall', () => {
    const board = new PauseBoard('acquire');
    board.completed(0, 0, 'acquire', true, 0);
    assert.equal(board.stalledUntil(0, 1), undefined);
    void board.arm(500);
    board.completed(0, 0, 'work', true, 0);
    board.completed(1, 1, 'acquire', false, 0);
    assert.equal(board.stalledThreads, 0, 'only an ok trigger starts a pause');
    board.completed(1, 1, 'acquire', true, 10);
    assert.equal(board.stalledUntil(1, 20), 510);
    assert.deepEqual(board.releaseAll(), [1]);
    assert.equal(board.stalledUntil(1, 20), undefined);
  });

  it('the nemesis reports which process it paused, for how long, and says when nothing could be paused', async () => {
    const { cluster } = fakeCluster();
    const board = new PauseBoard('acquire');
    const nemesis = clientPauseNemesis(board);
    const started = nemesis.invoke({ f: 'start-client-pause', value: 30 }, ctx(cluster));
    board.completed(2, 7, 'acquire', true, 0);
    const r = await started;
    assert.deepEqual(r.targets, ['process 7']);
    assert.deepEqual(r.details, { applied: true, process: 7, worker: 2, after: 'acquire', durationMs: 30, how: "operations held back; the client's connections kept running" });
    assert.equal(board.stalledThreads, 0, 'released when the pause is over');
    const missed = await nemesis.invoke({ f: 'start-client-pause', value: 5 }, ctx(cluster));
    assert.equal((missed.details as { applied: boolean }).applied, false);
  });

  it('with a freezer, a stall freezes the worker\'s client process and every way out thaws it', async () => {
    const calls: string[] = [];
    const freezer = { freeze: (t: number) => (calls.push(`freeze ${t}`), 4242), thaw: (t: number) => void calls.push(`thaw ${t}`) };
    const { cluster } = fakeCluster();
    const board = new PauseBoard('acquire', freezer);
    const nemesis = clientPauseNemesis(board);
    const started = nemesis.invoke({ f: 'start-client-pause', value: 20 }, ctx(cluster));
    board.completed(1, 5, 'acquire', true, 0);
    const r = await started;
    assert.match(String((r.details as { how: string }).how), /SIGSTOP of the worker's client process \(pid 4242\)/);
    assert.deepEqual(calls, ['freeze 1', 'thaw 1']);
    // A stall that runs out is thawed by the generator's next look; releaseAll thaws the rest.
    void board.arm(100);
    board.completed(0, 3, 'acquire', true, 0);
    assert.equal(board.stalledUntil(0, 200), undefined);
    void board.arm(100);
    board.completed(2, 4, 'acquire', true, 0);
    board.releaseAll();
    assert.deepEqual(calls, ['freeze 1', 'thaw 1', 'freeze 0', 'thaw 0', 'freeze 2', 'thaw 2']);
  });

  it('wiring wraps the generator only when client-pause is planned', () => {
    const base = { intervalMs: 1, partitions: [], targets: ['one'] as const };
    assert.equal(nemesisWiring({ ...base, kinds: ['kill'] }, builtinSystem('redis'), 'acquire').board, undefined);
    assert.ok(nemesisWiring({ ...base, kinds: ['client-pause'] }, builtinSystem('redis'), 'acquire').board instanceof PauseBoard);
  });
});

describe('clock', () => {
  it('starts Redis with tcmalloc before libfaketime, ZooKeeper with libfaketime, Go systems without', () => {
    assert.match(clockStartOptions(builtinSystem('redis'))?.env?.['LD_PRELOAD'] ?? '', /tcmalloc.*faketime/);
    assert.match(clockStartOptions(builtinSystem('zookeeper'))?.env?.['LD_PRELOAD'] ?? '', /faketime/);
    assert.equal(clockStartOptions(builtinSystem('zookeeper'))?.env?.['FAKETIME_TIMESTAMP_FILE'], FAKETIME_FILE);
    assert.equal(clockStartOptions(builtinSystem('etcd')), undefined);
    assert.equal(clockStartOptions(builtinSystem('consul')), undefined);
  });

  it('writes offsets in libfaketime syntax, atomically', () => {
    assert.equal(faketimeOffset(1500), '+1.500');
    assert.equal(faketimeOffset(-250), '-0.250');
    assert.equal(faketimeOffset(0), '+0.000');
    assert.match(setOffsetScript(-30_000), /'-30\.000' > \/run\/faultline\/faketime\.tmp && mv/);
  });

  it('reads Redis TIME and date +%s%N', () => {
    assert.equal(parseProbe('1700000000 250000'), 1_700_000_000_250);
    assert.equal(parseProbe('1700000000250000000\n'), 1_700_000_000_250);
    assert.throws(() => parseProbe('error'), /cannot read a time/);
  });

  it('bumps the target clock and records the offset it measured', async () => {
    const { cluster, scripts } = fakeCluster(5_000);
    const nemesis = clockNemesis(builtinSystem('redis'), cluster);
    const r = await nemesis.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 5_000, targets: 'all' } }, ctx(cluster));
    assert.equal(r.active, true);
    const measured = (r.details as { measuredMs: Record<string, { offsetMs: number }> }).measuredMs;
    for (const n of ['n1', 'n2', 'n3']) assert.ok(Math.abs((measured[n]?.offsetMs ?? 0) - 5_000) < 100, JSON.stringify(measured));
    assert.ok(scripts.some((s) => s.includes("'+5.000'")));
    const healed = await nemesis.healAll(ctx(cluster));
    assert.equal(healed[0]?.active, false);
    assert.equal(scripts.filter((s) => s.includes(`rm -f ${FAKETIME_FILE}`)).length, 3);
  });

  it('on a system that declares its clock cannot move, does nothing and says why', async () => {
    const { cluster, scripts } = fakeCluster();
    const system = { ...builtinSystem('etcd'), clock: { via: 'none', reason: 'no clock here' } as const };
    const r = await clockNemesis(system, cluster).invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 1000, targets: 'one' } }, ctx(cluster));
    assert.equal(r.active, false);
    assert.equal((r.details as { applied: boolean; reason: string }).applied, false);
    assert.equal((r.details as { reason: string }).reason, 'no clock here');
    assert.deepEqual(scripts, []);
  });
});

describe('packet', () => {
  const f = { loss: 0.25, delayMs: 40, duplicate: 0.01, reorder: 0.1, rateKbit: 800 };

  it('uses one netem qdisc for everything where netem works', () => {
    const plan = planPacketFault(f, 'eth0', [], true);
    assert.match(plan.script, /tc qdisc replace dev eth0 root netem delay 40ms loss 25% duplicate 1% reorder 10% rate 800kbit/);
    assert.deepEqual(plan.notApplied, []);
  });

  it('per link with netem: a prio band with netem and one filter per peer', () => {
    const plan = planPacketFault({ delayMs: 40 }, 'eth0', ['10.0.0.12', '10.0.0.13'], true);
    assert.match(plan.script, /root handle 1: prio/);
    assert.equal(plan.script.match(/u32 match ip dst/g)?.length, 2);
  });

  it('without netem: loss through iptables statistic, rate through tbf, the rest stated as not applied', () => {
    const plan = planPacketFault(f, 'eth0', [], false);
    assert.match(plan.script, new RegExp(`iptables -w -A ${PACKET_CHAIN_OUT} -m statistic --mode random --probability 0.25 -j DROP`));
    assert.match(plan.script, /tc qdisc replace dev eth0 root tbf rate 800kbit/);
    assert.doesNotMatch(plan.script, /netem/);
    assert.deepEqual(plan.notApplied.map((n) => n.what), ['delay 40ms', 'duplicate 1%', 'reorder 10%']);
    assert.ok(plan.notApplied.every((n) => n.reason.includes('netem')));
  });

  it('without netem, per link: one loss rule per peer', () => {
    const plan = planPacketFault({ loss: 0.5 }, 'eth0', ['10.0.0.12'], false);
    assert.match(plan.script, /-A FAULTLINE-PKT-OUT -d 10\.0\.0\.12 -m statistic/);
  });

  it('rejects what would make a bad rule', () => {
    assert.throws(() => planPacketFault({ loss: 1.5 }, 'eth0', [], false), /probability/);
    assert.throws(() => planPacketFault({ loss: 0.1 }, 'eth0', ['10.0.0.1; reboot'], false), /IPv4/);
    assert.throws(() => planPacketFault({ loss: 0.1 }, 'eth0 && x', [], false), /interface/);
  });

  it('heals every rule and the root qdisc', () => {
    const heal = packetHealScript('eth0');
    assert.match(heal, /-F FAULTLINE-PKT-IN/);
    assert.match(heal, /-F FAULTLINE-PKT-OUT/);
    assert.match(heal, /tc qdisc del dev eth0 root/);
  });
});
