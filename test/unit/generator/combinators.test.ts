import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HistoryEvent, NEMESIS } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';
import {
  type Generator,
  clients,
  generator,
  concurrently,
  eachProcess,
  fn,
  limit,
  mix,
  nemesis,
  once,
  phases,
  rateLimit,
  repeat,
  simulate,
  sleep,
  stagger,
  timeLimit,
} from '../../../src/generator/index.js';

const read = { f: 'read', value: null };
const reads = repeat(read);
const write = fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 4) }));
const invokes = (h: HistoryEvent[]) => h.filter((e) => e.type === 'invoke');
const clientOps = (h: HistoryEvent[]) => invokes(h).filter((e) => e.process !== NEMESIS).map((e) => [e.f, e.value]);

describe('basic generators', () => {
  it('once emits one operation, limit n, repeat restarts a finite generator', () => {
    assert.equal(invokes(simulate(once(read), { concurrency: 3, seed: 1 })).length, 1);
    assert.equal(invokes(simulate(limit(7, write), { concurrency: 3, seed: 1 })).length, 7);
    assert.equal(invokes(simulate(repeat(once(read), 5), { concurrency: 2, seed: 1 })).length, 5);
    assert.equal(invokes(simulate(limit(40, reads), { concurrency: 2, seed: 1 })).length, 40);
  });

  it('repeat of a generator that is exhausted from the start ends instead of looping', () => {
    assert.equal(invokes(simulate(repeat(limit(0, read)), { concurrency: 2, seed: 1 })).length, 0);
  });

  it('every invocation gets exactly one completion (the history pairs)', () => {
    const h = simulate(limit(100, mix([read, write])), { concurrency: 5, seed: 2, latencyMs: (_op, p) => 1 + ((p as number) % 3) });
    const { ops } = pairHistory(h);
    assert.equal(ops.length, 100);
    assert.ok(ops.every((op) => op.type === 'ok'));
  });
});

describe('mix', () => {
  it('draws from every generator, reproducibly per seed', () => {
    const g = limit(200, mix([read, write]));
    const a = clientOps(simulate(g, { concurrency: 4, seed: 9 }));
    const fs = new Set(a.map(([f]) => f));
    assert.deepEqual([...fs].sort(), ['read', 'write']);
    assert.deepEqual(a, clientOps(simulate(g, { concurrency: 4, seed: 9 })));
    assert.notDeepEqual(a, clientOps(simulate(g, { concurrency: 4, seed: 10 })));
  });

  it('is exhausted once all of its generators are', () => {
    assert.equal(invokes(simulate(mix([limit(3, reads), limit(4, write)]), { concurrency: 2, seed: 1 })).length, 7);
  });
});

describe('timing', () => {
  it('stagger averages one operation per dt', () => {
    const h = simulate(timeLimit(20_000, stagger(10, repeat(read))), { concurrency: 4, seed: 5 });
    const n = invokes(h).length;
    assert.ok(n > 1700 && n < 2300, `expected about 2000 operations in 20 s at dt=10 ms, got ${n}`);
  });

  it('rateLimit spaces operations evenly', () => {
    const h = simulate(timeLimit(1000, rateLimit(50, repeat(read))), { concurrency: 8, seed: 5 });
    const times = invokes(h).map((e) => e.time / 1e6);
    assert.equal(times.length, 50);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] as number) - (times[i - 1] as number) >= 20 - 1e-6);
  });

  it('timeLimit issues nothing after its deadline', () => {
    const h = simulate(timeLimit(500, repeat(read)), { concurrency: 3, seed: 1, latencyMs: () => 7 });
    const last = Math.max(...invokes(h).map((e) => e.time));
    assert.ok(last < 500e6);
    assert.ok(last > 480e6, 'the generator kept going until close to the deadline');
  });

  it('sleep holds the next phase back', () => {
    const h = simulate(phases(once(read), sleep(100), once(write)), { concurrency: 2, seed: 1, latencyMs: () => 5 });
    const [first, second] = invokes(h);
    assert.equal(second?.f, 'write');
    assert.ok((second?.time as number) - (first?.time as number) >= 105e6);
  });
});

describe('phases', () => {
  it('starts a phase only after every operation of the previous one completed', () => {
    const h = simulate(phases(limit(20, write), limit(10, reads)), {
      concurrency: 5,
      seed: 3,
      latencyMs: (op, p) => (op.f === 'write' ? 3 + (p as number) * 4 : 1),
    });
    const lastWriteDone = Math.max(...h.filter((e) => e.f === 'write' && e.type !== 'invoke').map((e) => e.time));
    const firstRead = Math.min(...h.filter((e) => e.f === 'read' && e.type === 'invoke').map((e) => e.time));
    assert.equal(invokes(h).length, 30);
    assert.ok(firstRead >= lastWriteDone);
  });
});

describe('routing', () => {
  const faults = stagger(100, repeat(mix([{ f: 'start-partition', value: 'halves' }, { f: 'stop-partition', value: null }])));

  it('gives client generators to clients and nemesis generators to the nemesis', () => {
    const g = timeLimit(2000, concurrently(clients(stagger(5, repeat(read))), nemesis(faults)));
    const h = simulate(g, { concurrency: 3, seed: 4, nemesis: true });
    const nem = invokes(h).filter((e) => e.process === NEMESIS);
    assert.ok(nem.length > 5);
    assert.ok(nem.every((e) => e.f.endsWith('partition')));
    assert.ok(invokes(h).filter((e) => e.process !== NEMESIS).every((e) => e.f === 'read'));
  });

  it('adding a nemesis leaves the client operations unchanged (separate random streams)', () => {
    const ops = limit(300, stagger(5, mix([read, write])));
    const without = simulate(ops, { concurrency: 3, seed: 11 });
    const withFaults = simulate(concurrently(clients(ops), nemesis(faults)), { concurrency: 3, seed: 11, nemesis: true });
    assert.ok(invokes(withFaults).some((e) => e.process === NEMESIS));
    assert.deepEqual(clientOps(withFaults), clientOps(without));
  });

  it('ends the nemesis once the client generator is exhausted', () => {
    const h = simulate(concurrently(clients(limit(10, reads)), nemesis(once({ f: 'kill', value: null }))), {
      concurrency: 2,
      seed: 1,
      nemesis: true,
    });
    assert.equal(invokes(h).length, 11);
  });

  it('eachProcess gives every process its own copy, and a fresh one after info', () => {
    const h = simulate(eachProcess(limit(2, reads)), { concurrency: 3, seed: 1 });
    const perProcess = new Map<unknown, number>();
    for (const e of invokes(h)) perProcess.set(e.process, (perProcess.get(e.process) ?? 0) + 1);
    assert.deepEqual([...perProcess.values()], [2, 2, 2]);

    let calls = 0;
    const crashFirst = simulate(eachProcess(limit(2, reads)), {
      concurrency: 2,
      seed: 1,
      outcome: () => (calls++ === 0 ? { type: 'info' } : { type: 'ok' }),
    });
    // Process 0 crashed on its first op; process 2 (= 0 + concurrency) replaced it with a fresh copy.
    const byProcess = (p: number) => invokes(crashFirst).filter((e) => e.process === p).length;
    assert.deepEqual([byProcess(0), byProcess(1), byProcess(2)], [1, 2, 2]);
  });
});

/** Acquire, and release only what the completion says was acquired: needs completions routed back. */
function acquireRelease(): Generator {
  return generator(() => {
    let holding = false;
    return {
      next: () => (holding ? { type: 'op', op: { f: 'release', value: null } } : { type: 'op', op: { f: 'acquire', value: null } }),
      update(c) {
        if (c.op.f === 'acquire' && c.type === 'ok') holding = true;
        if (c.op.f === 'release') holding = false;
      },
    };
  });
}

describe('completions', () => {
  it('reach the generator that issued the operation, through the combinators', () => {
    let n = 0;
    const g = concurrently(clients(limit(200, eachProcess(acquireRelease()))), nemesis(once({ f: 'kill', value: null })));
    const h = simulate(g, { concurrency: 4, seed: 3, nemesis: true, outcome: (op) => ({ type: op.f === 'acquire' && n++ % 3 === 0 ? 'fail' : 'ok' }) });
    const { ops } = pairHistory(h);
    assert.ok(ops.filter((op) => op.f === 'release').length > 50);
    for (const p of new Set(ops.map((op) => op.process))) {
      const mine = ops.filter((op) => op.process === p);
      mine.forEach((op, i) => {
        if (op.f === 'release') assert.ok(mine[i - 1]?.f === 'acquire' && mine[i - 1]?.type === 'ok', `process ${p} released without holding`);
      });
    }
  });
});

describe('replay', () => {
  it('replays the same history for the same seed, and the same operations whatever the latencies', () => {
    const g = limit(150, stagger(3, mix([read, write, fn((ctx) => ({ f: 'cas', value: [ctx.rng.int(0, 4), ctx.rng.int(0, 4)] }))])));
    const a = simulate(g, { concurrency: 4, seed: 21 });
    assert.deepEqual(simulate(g, { concurrency: 4, seed: 21 }), a);
    const slow = simulate(g, { concurrency: 4, seed: 21, latencyMs: (_op, p) => 2 + 9 * ((p as number) % 2) });
    assert.deepEqual(clientOps(slow), clientOps(a));
  });
});
