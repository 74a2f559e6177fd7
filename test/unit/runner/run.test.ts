import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HistoryEvent, NEMESIS } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';
import {
  type Generator,
  clients,
  concurrently,
  fn,
  mix,
  nemesis,
  overKeys,
  perKey,
  repeat,
  stagger,
} from '../../../src/generator/index.js';
import { DefiniteFailure } from '../../../src/runner/outcome.js';
import { HEAL_ALL, type RunOptions, runTest } from '../../../src/runner/run.js';
import type { Progress } from '../../../src/runner/stats.js';
import { MemoryRegister, RecordingNemesis, cluster } from './fakes.js';

const registerOps = (): Generator =>
  mix([
    repeat({ f: 'read', value: null }),
    fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 4) })),
    fn((ctx) => ({ f: 'cas', value: [ctx.rng.int(0, 4), ctx.rng.int(0, 4)] })),
  ]);

function options(store: MemoryRegister, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    seed: 7,
    concurrency: 5,
    cluster: cluster('n2'),
    routing: { kind: 'random' },
    openClient: store.open,
    generator: registerOps(),
    opTimeoutMs: 200,
    timeLimitMs: 5_000,
    opLimit: 200,
    ...extra,
  };
}

const clientInvokes = (h: HistoryEvent[]) => h.filter((e) => e.type === 'invoke' && e.process !== NEMESIS);

/** What a register's reads may return: the initial value or something some write/cas tried to put there. */
function readsComeFromWrites(h: HistoryEvent[]): boolean {
  const written = new Set<unknown>([null]);
  for (const e of h) {
    if (e.type !== 'invoke') continue;
    if (e.f === 'write') written.add(e.value);
    if (e.f === 'cas') written.add((e.value as unknown[])[1]);
  }
  return h.every((e) => !(e.type === 'ok' && e.f === 'read') || written.has(e.value));
}

describe('runTest', () => {
  it('records a well-formed history with every invocation completed', async () => {
    const sunk: HistoryEvent[] = [];
    const result = await runTest(options(new MemoryRegister(), { sink: (e) => sunk.push(e) }));
    const { ops } = pairHistory(result.history);
    assert.equal(ops.length, 200);
    assert.equal(result.stopReason, 'op-limit');
    assert.ok(ops.every((op) => op.completeIndex >= 0 && op.node !== undefined));
    assert.deepEqual(sunk, result.history, 'the sink saw every event, in order');
    assert.ok(result.history.every((e, i) => e.index === i));
    assert.ok(result.history.every((e, i) => i === 0 || e.time >= (result.history[i - 1] as HistoryEvent).time));
    // Failed CASes are definite failures; reads return values that were written.
    assert.ok(ops.some((op) => op.type === 'fail' && op.error === 'cas-mismatch'));
    assert.ok(ops.some((op) => op.type === 'ok' && op.f === 'read'));
    assert.ok(readsComeFromWrites(result.history));
    assert.equal(result.stats.invoked, 200);
    assert.equal(result.stats.ok + result.stats.fail + result.stats.info, 200);
    for (const node of ['n1', 'n2', 'n3']) {
      assert.equal(result.stats.perNode[node]?.invoked, ops.filter((op) => op.node === node).length);
    }
  });

  it('completes a timed-out operation as info and continues the worker as process id + concurrency', async () => {
    let hung = 0;
    // Ordinary operations take ~10 ms, so the workers are still busy long after the 150 ms
    // timeouts (200 ops over 5 workers ≈ 400 ms), and an ordinary one times out only if the
    // event loop stalls for 130 ms (test files share 2 cores: 30 ms timeouts over 4 ms
    // operations failed under load).
    const store = new MemoryRegister({ maxLatencyMs: 20, hangs: (op) => op.f === 'write' && hung++ < 3 });
    const result = await runTest(options(store, { opTimeoutMs: 150, opLimit: 200 }));
    const { ops } = pairHistory(result.history);
    const infos = ops.filter((op) => op.type === 'info');
    assert.equal(infos.length, 3);
    assert.ok(infos.every((op) => op.error === 'timeout' && op.ret - op.call >= 149e6));
    for (const op of infos) {
      assert.ok(!ops.some((o) => o.process === op.process && o.call > op.call), `process ${op.process} issued again after info`);
    }
    const pids = new Set(ops.map((op) => op.process));
    assert.ok([...pids].some((p) => p >= 5), 'a replacement process took over');
    assert.ok([...pids].every((p) => infos.some((i) => i.process === p - 5) || p < 5));
    assert.equal(ops.length, 200);
    assert.ok(store.closed >= 3, 'the retired processes closed their clients');
  });

  it('classifies thrown errors: DefiniteFailure → fail, unknown errors → info, adapter classifiers first', async () => {
    let n = 0;
    const open: RunOptions['openClient'] = async (node) => ({
      node,
      close: async () => undefined,
      invoke: async () => {
        const i = n++;
        if (i % 3 === 0) throw new DefiniteFailure('not-found');
        if (i % 3 === 1) throw new Error('ECONNRESET');
        throw Object.assign(new Error('No cluster leader'), { code: 'NOLEADER' });
      },
    });
    const result = await runTest(
      options(new MemoryRegister(), {
        openClient: open,
        opLimit: 30,
        classifiers: [(err) => ((err as { code?: string }).code === 'NOLEADER' ? { type: 'fail', error: 'no-leader' } : undefined)],
      }),
    );
    const { ops } = pairHistory(result.history);
    assert.deepEqual(
      [...new Set(ops.map((op) => `${op.type}:${op.error}`))].sort(),
      ['fail:no-leader', 'fail:not-found', 'info:ECONNRESET'],
    );
  });

  it('records an open that fails or hangs as a definite fail', async () => {
    const open: RunOptions['openClient'] = (node) =>
      node === 'n1' ? Promise.reject(new Error('ECONNREFUSED')) : new Promise(() => undefined);
    const result = await runTest(options(new MemoryRegister(), { openClient: open, opLimit: 12, opTimeoutMs: 20 }));
    const { ops } = pairHistory(result.history);
    assert.equal(ops.length, 12);
    assert.ok(ops.every((op) => op.type === 'fail'));
    assert.deepEqual([...new Set(ops.map((op) => op.error))].sort(), ['open-timeout', 'open: ECONNREFUSED']);
  });

  it('stops at the time limit even with an endless generator', async () => {
    const started = Date.now();
    const result = await runTest(options(new MemoryRegister(), { opLimit: undefined, timeLimitMs: 150 }));
    assert.equal(result.stopReason, 'time-limit');
    assert.ok(Date.now() - started < 3000, "ends promptly after the limit (generous for a loaded machine)");
    const last = Math.max(...clientInvokes(result.history).map((e) => e.time));
    // Handed out before the deadline; recorded a few microseconds later at most.
    assert.ok(last <= 151e6, `last invocation at ${last / 1e6} ms`);
    assert.ok(clientInvokes(result.history).length > 20);
  });

  it('runs the nemesis as its own process, heals before the final phase and reads every key', async () => {
    const nem = new RecordingNemesis();
    const progress: Progress[] = [];
    const faults = stagger(20, repeat(mix([{ f: 'start-partition', value: 'halves' }, { f: 'stop-partition', value: null }])));
    const result = await runTest(
      options(new MemoryRegister(), {
        opLimit: undefined,
        timeLimitMs: 300,
        generator: concurrently(clients(stagger(2, perKey({ threadsPerKey: 1, opsPerKey: 10, gen: registerOps }))), nemesis(faults)),
        nemesis: nem,
        final: overKeys((key) => ({ f: 'read', value: null, key })),
        onProgress: (p) => progress.push(p),
        // Sampled often: the partition comes and goes every ~20 ms, and at 50 ms a loaded
        // machine (CI runs two test files at once) could take every sample while it was healed.
        progressIntervalMs: 5,
      }),
    );
    const h = result.history;
    const nemEvents = h.filter((e) => e.process === NEMESIS);
    assert.ok(nemEvents.filter((e) => e.type === 'invoke').length >= 3);
    const started = nemEvents.find((e) => e.type === 'info' && e.f === 'start-partition');
    assert.deepEqual(started?.value, { fault: 'partition', active: true, targets: ['n1'], details: { grudge: { n1: ['n2', 'n3'] } } });
    assert.equal(nem.calls[0], 'setup');
    assert.deepEqual(nem.calls.slice(-2), ['heal-all', 'teardown']);

    const heal = h.findIndex((e) => e.f === HEAL_ALL && e.type === 'info');
    assert.ok(heal > 0);
    const mainKeys = new Set(h.slice(0, heal).filter((e) => e.process !== NEMESIS).map((e) => e.key));
    const finals = h.slice(heal).filter((e) => e.type === 'invoke');
    assert.ok(finals.every((e) => e.f === 'read'));
    assert.deepEqual(new Set(finals.map((e) => e.key)), mainKeys, 'one final read per key used');
    assert.equal(result.finalPhase, 'ran');
    pairHistory(h);

    assert.ok(progress.some((p) => p.phase === 'main' && p.activeFaults.length === 1 && p.activeFaults[0]?.fault === 'partition'));
    const last = progress[progress.length - 1] as Progress;
    assert.equal(last.phase, 'done');
    assert.deepEqual(last.activeFaults, []);
    assert.equal(last.ok + last.fail + last.info, clientInvokes(h).length);
  });

  it('on abort, stops issuing, records in-flight completions, heals, and skips the final phase', async () => {
    const nem = new RecordingNemesis();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 80);
    const result = await runTest(
      options(new MemoryRegister({ maxLatencyMs: 20 }), {
        opLimit: undefined,
        signal: abort.signal,
        nemesis: nem,
        final: overKeys((key) => ({ f: 'read', value: null, key })),
      }),
    );
    assert.equal(result.stopReason, 'interrupted');
    assert.equal(result.finalPhase, 'skipped');
    assert.ok(nem.calls.includes('heal-all'));
    const { ops } = pairHistory(result.history);
    assert.ok(ops.length > 0 && ops.every((op) => op.completeIndex >= 0));
    assert.ok(ops.every((op) => op.call <= 100e6), 'nothing invoked well after the abort');
  });

  it('reports a heal failure next to the result instead of throwing', async () => {
    const nem = new RecordingNemesis();
    nem.healAll = async () => {
      throw new Error('iptables: command not found');
    };
    const result = await runTest(options(new MemoryRegister(), { nemesis: nem, opLimit: 10 }));
    assert.deepEqual(result.errors, ['healing faults failed: iptables: command not found']);
    const heal = result.history.filter((e) => e.f === HEAL_ALL);
    assert.equal(heal[1]?.error, 'iptables: command not found');
  });

  it('ends as `error` with the failure once a failing loop\'s siblings stopped, and still heals and tears down', async () => {
    const nem = new RecordingNemesis();
    let asked = 0;
    const broken = fn(() => {
      if (++asked === 40) throw new Error('generator bug');
      return { f: 'read', value: null };
    });
    const events: HistoryEvent[] = [];
    const result = await runTest(options(new MemoryRegister(), { generator: broken, nemesis: nem, sink: (e) => events.push(e) }));
    assert.equal(result.stopReason, 'error');
    assert.match(String(result.failure), /generator bug/);
    assert.deepEqual(result.errors, ['the main phase failed: generator bug']);
    assert.deepEqual(nem.calls.slice(-2), ['heal-all', 'teardown']);
    const { ops } = pairHistory(events);
    assert.ok(ops.length >= 30 && ops.every((op) => op.completeIndex >= 0), 'in-flight operations were completed and recorded');
  });

  it('a history sink that throws (a full disk) stops the run cleanly: healed, torn down, every event kept in memory', async () => {
    const nem = new RecordingNemesis();
    let seen = 0;
    const sink = (): void => {
      if (++seen > 50) throw new Error('ENOSPC: no space left on device, write');
    };
    const result = await runTest(options(new MemoryRegister(), { nemesis: nem, sink, timeLimitMs: 60_000 }));
    assert.equal(result.stopReason, 'error');
    assert.deepEqual(result.errors, ['the history could not be written: ENOSPC: no space left on device, write']);
    assert.deepEqual(nem.calls.slice(-2), ['heal-all', 'teardown']);
    assert.ok(result.history.length > 50 && result.history.some((e) => e.f === HEAL_ALL), 'recording went on in memory');
    assert.ok(result.durationMs < 10_000, `stopped at once, not at the time limit (${result.durationMs} ms)`);
  });

  it('replays the same operations, nodes and faults for the same seed, whatever the latencies', async () => {
    const run = (latency: number) =>
      runTest(
        options(new MemoryRegister({ maxLatencyMs: latency, seed: latency }), {
          opLimit: 80,
          generator: concurrently(clients(registerOps()), nemesis(repeat({ f: 'start-partition', value: 'random-halves' }))),
          nemesis: new RecordingNemesis(),
        }),
      );
    const shape = (h: HistoryEvent[]) => clientInvokes(h).map((e) => [e.f, e.value, e.node]);
    const [fast, slow] = [await run(1), await run(6)];
    assert.deepEqual(shape(fast.history), shape(slow.history));
    const other = await runTest(options(new MemoryRegister(), { seed: 8, opLimit: 80 }));
    assert.notDeepEqual(shape(other.history), shape(fast.history));
  });

  it('routes sticky workers to one node each, and leader routing to the leader', async () => {
    const sticky = await runTest(options(new MemoryRegister(), { routing: { kind: 'sticky' }, concurrency: 6 }));
    for (const op of pairHistory(sticky.history).ops) assert.equal(op.node, ['n1', 'n2', 'n3'][(op.process % 6) % 3]);
    const leader = await runTest(options(new MemoryRegister(), { routing: { kind: 'leader' } }));
    assert.deepEqual(leader.stats.perNode['n2']?.invoked, 200);
  });

  it('rejects nonsense bounds before starting', async () => {
    await assert.rejects(runTest(options(new MemoryRegister(), { concurrency: 0 })), /concurrency must be a positive integer/);
    await assert.rejects(runTest(options(new MemoryRegister(), { opTimeoutMs: -1 })), /op timeout/);
  });
});
