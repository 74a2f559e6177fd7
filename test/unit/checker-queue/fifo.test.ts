import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';
import { checkFifo } from '../../../src/checker/queue/fifo.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { faultIntervals } from '../../../src/history/faults.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { linearizableQueue } from './queue-brute.js';

type Outcome = 'ok' | 'fail' | 'info-applied' | 'info-not-applied';
interface Spec {
  process: number;
  f: 'enqueue' | 'dequeue';
  outcome: Outcome;
  gap: number;
  length: number;
  /** Where in its interval (per mille) it takes effect; an info op may take effect up to `late` after it gave up. */
  at: number;
  late: number;
}

/**
 * A correct FIFO queue under concurrency: each operation takes effect at one point (within
 * its interval when ok, any time after its invocation when info-applied, never when failed
 * or info-not-applied); outputs are what the queue gave at those points; then one final
 * drain after everything. `sequential`: no two operations overlap.
 */
function simulate(specs: readonly Spec[], sequential = false): HistoryEvent[] {
  const free = new Map<number, number>();
  let clock = 0;
  type Sim = { s: Spec; process: number; call: number; ret: number; effect: number; value: Json; output: Json };
  const sims: Sim[] = [];
  let next = 0;
  specs.forEach((s, i) => {
    const process = sequential ? 0 : s.process;
    const call = (sequential ? clock : (free.get(process) ?? 0)) + 1 + s.gap;
    const ret = call + 1 + s.length;
    free.set(process, ret);
    clock = Math.max(clock, ret);
    const within = call + ((ret - call) * s.at) / 1000;
    const effect = s.outcome === 'ok' ? within : s.outcome === 'info-applied' ? within + s.late : Infinity;
    sims.push({ s, process, call, ret, effect: effect + i * 1e-6, value: s.f === 'enqueue' ? next++ : null, output: null });
  });
  const queue: Json[] = [];
  for (const x of [...sims].filter((x) => x.effect !== Infinity).sort((a, b) => a.effect - b.effect)) {
    if (x.s.f === 'enqueue') queue.push(x.value);
    else x.output = queue.shift() ?? null;
  }
  const events: Omit<HistoryEvent, 'index'>[] = [];
  for (const x of sims) {
    events.push({ time: x.call, process: x.process, type: 'invoke', f: x.s.f, value: x.value });
    const type = x.s.outcome === 'ok' ? 'ok' : x.s.outcome === 'fail' ? 'fail' : 'info';
    events.push({ time: x.ret, process: x.process, type, f: x.s.f, value: type === 'ok' && x.s.f === 'dequeue' ? x.output : x.value });
  }
  const end = Math.max(clock, ...sims.map((x) => (x.effect === Infinity ? 0 : Math.ceil(x.effect)))) + 10;
  events.push({ time: end, process: 99, type: 'invoke', f: 'drain', value: null });
  events.push({ time: end + 1, process: 99, type: 'ok', f: 'drain', value: [...queue] });
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.time - b.e.time || a.i - b.i)
    .map(({ e }, index) => ({ ...e, index }));
}

const spec = (outcomes: readonly Outcome[]): fc.Arbitrary<Spec> =>
  fc.record({
    process: fc.nat(3),
    f: fc.constantFrom('enqueue' as const, 'dequeue' as const),
    outcome: fc.constantFrom(...outcomes),
    gap: fc.nat(6),
    length: fc.nat(12),
    at: fc.nat(1000),
    late: fc.nat(30),
  });
const ALL: Outcome[] = ['ok', 'fail', 'info-applied', 'info-not-applied'];

const opsOf = (events: readonly HistoryEvent[]): Operation[] => pairHistory(events).ops;

/** Every value an ok dequeue or the drain returned, as (event, position) slots. */
type Slot = { event: number; position: number | null };
function outSlots(events: readonly HistoryEvent[]): Slot[] {
  return events.flatMap((e, i): Slot[] => {
    if (e.type !== 'ok') return [];
    if (e.f === 'dequeue' && e.value !== null) return [{ event: i, position: null }];
    if (e.f === 'drain' && Array.isArray(e.value)) return e.value.map((_, p) => ({ event: i, position: p }));
    return [];
  });
}
const getSlot = (events: HistoryEvent[], s: { event: number; position: number | null }): Json => (s.position === null ? events[s.event]!.value : (events[s.event]!.value as Json[])[s.position]!);
function setSlot(events: HistoryEvent[], s: { event: number; position: number | null }, v: Json): void {
  if (s.position === null) events[s.event] = { ...events[s.event]!, value: v };
  else {
    const list = [...(events[s.event]!.value as Json[])];
    list[s.position] = v;
    events[s.event] = { ...events[s.event]!, value: list };
  }
}
/** The history with the values of two out-slots exchanged. */
function swapped(events: readonly HistoryEvent[], i: number, j: number): HistoryEvent[] {
  const copy = [...events];
  const slots = outSlots(copy);
  const a = getSlot(copy, slots[i]!);
  const b = getSlot(copy, slots[j]!);
  setSlot(copy, slots[i]!, b);
  setSlot(copy, slots[j]!, a);
  return copy;
}

describe('FIFO checker', () => {
  it('never flags a correct FIFO queue, with any mix of ok / fail / info and concurrency (no false alarm)', () => {
    fc.assert(
      fc.property(fc.array(spec(ALL), { maxLength: 60 }), (specs) => {
        const r = checkFifo(opsOf(simulate(specs)));
        assert.equal(r.verdict, 'valid', r.explanation);
      }),
      { numRuns: 1500 },
    );
  });

  it('the simulator is a correct FIFO queue by the brute force (the reference agrees with itself)', () => {
    fc.assert(
      fc.property(fc.array(spec(ALL), { maxLength: 9 }), (specs) => {
        assert.ok(linearizableQueue(opsOf(simulate(specs)), true));
      }),
      { numRuns: 400 },
    );
  });

  it('flags only histories the brute force finds not linearizable as a FIFO queue (sound, on corrupted concurrent histories)', () => {
    let flagged = 0;
    fc.assert(
      fc.property(fc.array(spec(ALL), { minLength: 2, maxLength: 10 }), fc.nat(), fc.nat(), (specs, i, j) => {
        const events = simulate(specs);
        const n = outSlots(events).length;
        fc.pre(n >= 2 && i % n !== j % n);
        const bad = swapped(events, i % n, j % n);
        const r = checkFifo(opsOf(bad));
        if (r.verdict === 'invalid') {
          flagged++;
          assert.equal(linearizableQueue(opsOf(bad), true), false, r.explanation);
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(flagged > 100, `only ${flagged} corrupted histories were flagged: the property tested little`);
  });

  it('on histories without overlapping operations, finds every one that is wrong because of order (complete there)', () => {
    let wrongByOrder = 0;
    fc.assert(
      fc.property(fc.array(spec(['ok', 'fail', 'info-applied', 'info-not-applied']), { minLength: 2, maxLength: 12 }), fc.nat(), fc.nat(), (specs, i, j) => {
        // Dequeues all certain (ok or failed): one of unknown outcome may take an element unseen, which no pair shows.
        const certain = specs.map((s) => (s.f === 'dequeue' && s.outcome.startsWith('info') ? { ...s, outcome: 'ok' as const } : s));
        const events = simulate(certain, true);
        const n = outSlots(events).length;
        fc.pre(n >= 2 && i % n !== j % n);
        const bad = swapped(events, i % n, j % n);
        const ops = opsOf(bad);
        if (linearizableQueue(ops, true) || !linearizableQueue(ops, false)) return;
        wrongByOrder++;
        assert.equal(checkFifo(ops).verdict, 'invalid', JSON.stringify(bad));
      }),
      { numRuns: 1500 },
    );
    assert.ok(wrongByOrder > 100, `only ${wrongByOrder} histories were wrong because of order`);
  });

  it('on concurrent histories, finds most of those wrong because of order (what it misses needs order inferred through other elements)', (t) => {
    let wrongByOrder = 0;
    let found = 0;
    fc.assert(
      fc.property(fc.array(spec(ALL), { minLength: 2, maxLength: 10 }), fc.nat(), fc.nat(), (specs, i, j) => {
        const events = simulate(specs);
        const n = outSlots(events).length;
        fc.pre(n >= 2 && i % n !== j % n);
        const ops = opsOf(swapped(events, i % n, j % n));
        if (linearizableQueue(ops, true) || !linearizableQueue(ops, false)) return;
        wrongByOrder++;
        if (checkFifo(ops).verdict === 'invalid') found++;
      }),
      { numRuns: 2000, seed: 17 },
    );
    t.diagnostic(`${found} of ${wrongByOrder} concurrent histories wrong because of order were flagged`);
    assert.ok(wrongByOrder > 100 && found / wrongByOrder > 0.9, `${found} of ${wrongByOrder}`);
  });

  it('always flags a plain swapped pair — two elements certainly enqueued in one order, dequeued in the other — in a busy history', () => {
    fc.assert(
      fc.property(fc.array(spec(ALL), { minLength: 2, maxLength: 60 }), fc.nat(), (specs, pick) => {
        const events = simulate(specs);
        const ops = opsOf(events);
        const slots = outSlots(events);
        const enq = new Map(ops.filter((o) => o.f === 'enqueue').map((o) => [JSON.stringify(o.input), o]));
        const byEvent = new Map(ops.filter((o) => o.completeIndex >= 0).map((o) => [o.completeIndex, o]));
        // Pairs of out-slots (x came out certainly first) whose elements went in certainly in that order.
        const pairs: [number, number][] = [];
        slots.forEach((sx, x) =>
          slots.forEach((sy, y) => {
            const ox = byEvent.get(sx.event)!;
            const oy = byEvent.get(sy.event)!;
            const first = ox === oy ? sx.position! < sy.position! : ox.ret < oy.call;
            const ex = enq.get(JSON.stringify(getSlot(events, sx)))!;
            const ey = enq.get(JSON.stringify(getSlot(events, sy)))!;
            if (first && ex.type === 'ok' && ex.ret < ey.call) pairs.push([x, y]);
          }),
        );
        fc.pre(pairs.length > 0);
        const [x, y] = pairs[pick % pairs.length]!;
        const r = checkFifo(opsOf(swapped(events, x, y)));
        assert.equal(r.verdict, 'invalid');
      }),
      { numRuns: 1000 },
    );
  });

  it('an enqueue of unknown outcome is never the earlier element: its effect may be as late as its dequeue', () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 'a' },
      { index: 1, time: 2, process: 0, type: 'info', f: 'enqueue', value: 'a' },
      { index: 2, time: 3, process: 1, type: 'invoke', f: 'enqueue', value: 'b' },
      { index: 3, time: 4, process: 1, type: 'ok', f: 'enqueue', value: 'b' },
      { index: 4, time: 5, process: 2, type: 'invoke', f: 'dequeue', value: null },
      { index: 5, time: 6, process: 2, type: 'ok', f: 'dequeue', value: 'b' },
      { index: 6, time: 7, process: 2, type: 'invoke', f: 'drain', value: null },
      { index: 7, time: 8, process: 2, type: 'ok', f: 'drain', value: ['a'] },
    ];
    assert.equal(checkFifo(opsOf(events)).verdict, 'valid');
    assert.ok(linearizableQueue(opsOf(events), true));
    // Acknowledged, the same history is an overtaking.
    events[1] = { ...events[1]!, type: 'ok' };
    const r = checkFifo(opsOf(events));
    assert.equal(r.verdict, 'invalid');
    assert.ok(!linearizableQueue(opsOf(events), true));
  });

  it('names both elements, processes, nodes, history indices, times and the faults in effect', () => {
    const nemesis = 'nemesis' as const;
    const events: HistoryEvent[] = [
      { index: 0, time: 1e9, process: nemesis, type: 'invoke', f: 'start-partition', value: null },
      { index: 1, time: 1.1e9, process: nemesis, type: 'info', f: 'start-partition', value: { fault: 'partition', active: true, targets: ['n1', 'n2', 'n3'], details: { shape: 'isolate-one', grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] } } } },
      { index: 2, time: 2e9, process: 0, type: 'invoke', f: 'enqueue', value: 12, node: 'n1' },
      { index: 3, time: 2.1e9, process: 0, type: 'ok', f: 'enqueue', value: 12, node: 'n1' },
      { index: 4, time: 2.2e9, process: 1, type: 'invoke', f: 'enqueue', value: 17, node: 'n2' },
      { index: 5, time: 2.3e9, process: 1, type: 'ok', f: 'enqueue', value: 17, node: 'n2' },
      { index: 6, time: 2.4e9, process: 2, type: 'invoke', f: 'dequeue', value: null, node: 'n3' },
      { index: 7, time: 2.5e9, process: 2, type: 'ok', f: 'dequeue', value: 17, node: 'n3' },
      { index: 8, time: 3e9, process: 3, type: 'invoke', f: 'drain', value: null, node: 'n2' },
      { index: 9, time: 3.1e9, process: 3, type: 'ok', f: 'drain', value: [12], node: 'n2' },
    ];
    const r = checkFifo(pairHistory(events).ops, faultIntervals(events));
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.overtaking, 1);
    assert.deepEqual(r.violations[0]!.indices, { earlierEnqueued: 3, laterEnqueueInvoked: 4, laterDequeued: 7, earlierDequeueInvoked: 8 });
    assert.equal(
      r.violations[0]!.sentence,
      "17 overtook 12: p0 enqueued 12 on n1, acknowledged at 2.100 s (history index 3), before p1 began enqueuing 17 on n2 at 2.200 s (history index 4), yet p2's dequeue of 17 from n3 came back at 2.500 s (history index 7) before p3's drain listing 12 from n2 began at 3.000 s (history index 8); faults in effect: partition isolate-one (n1 | n2 n3).",
    );
  });

  it('a drain listing an element ahead of one certainly enqueued before it is an overtaking; no drain is unknown', () => {
    const base: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 1 },
      { index: 1, time: 2, process: 0, type: 'ok', f: 'enqueue', value: 1 },
      { index: 2, time: 3, process: 0, type: 'invoke', f: 'enqueue', value: 2 },
      { index: 3, time: 4, process: 0, type: 'ok', f: 'enqueue', value: 2 },
    ];
    const drain = (v: Json[]): HistoryEvent[] => [...base, { index: 4, time: 5, process: 1, type: 'invoke', f: 'drain', value: null }, { index: 5, time: 6, process: 1, type: 'ok', f: 'drain', value: v }];
    assert.equal(checkFifo(opsOf(drain([1, 2]))).verdict, 'valid');
    const r = checkFifo(opsOf(drain([2, 1])));
    assert.equal(r.verdict, 'invalid');
    assert.match(r.explanation, /2 overtook 1: .* p1's drain \(.*history index 5\) listed 2 ahead of 1/);
    assert.equal(checkFifo(opsOf(base)).verdict, 'unknown');
  });

  it('leaves elements out twice or enqueued twice to the total-queue check (no verdict from an ambiguous element)', () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 1 },
      { index: 1, time: 2, process: 0, type: 'ok', f: 'enqueue', value: 1 },
      { index: 2, time: 3, process: 0, type: 'invoke', f: 'enqueue', value: 2 },
      { index: 3, time: 4, process: 0, type: 'ok', f: 'enqueue', value: 2 },
      { index: 4, time: 5, process: 1, type: 'invoke', f: 'dequeue', value: null },
      { index: 5, time: 6, process: 1, type: 'ok', f: 'dequeue', value: 1 },
      { index: 6, time: 7, process: 1, type: 'invoke', f: 'drain', value: null },
      { index: 7, time: 8, process: 1, type: 'ok', f: 'drain', value: [1, 2] },
    ];
    const r = checkFifo(opsOf(events));
    assert.equal(r.verdict, 'valid');
    assert.equal(r.checked, 1);
  });

  it('faultline check --workload queue checks order too; --unordered leaves it out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-fifo-'));
    const file = join(dir, 'queue.jsonl');
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 1 },
      { index: 1, time: 2, process: 0, type: 'ok', f: 'enqueue', value: 1 },
      { index: 2, time: 3, process: 0, type: 'invoke', f: 'enqueue', value: 2 },
      { index: 3, time: 4, process: 0, type: 'ok', f: 'enqueue', value: 2 },
      { index: 4, time: 5, process: 1, type: 'invoke', f: 'dequeue', value: null },
      { index: 5, time: 6, process: 1, type: 'ok', f: 'dequeue', value: 2 },
      { index: 6, time: 7, process: 1, type: 'invoke', f: 'drain', value: null },
      { index: 7, time: 8, process: 1, type: 'ok', f: 'drain', value: [1] },
    ];
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const ordered = await runCli('check', file, '--workload', 'queue');
    assert.equal(ordered.code, ExitCode.Invalid, ordered.out + ordered.err);
    assert.match(ordered.out, /queue: valid/);
    assert.match(ordered.out, /queue-fifo: invalid — FIFO order broken: 2 overtook 1: p0 enqueued 1, acknowledged at 0\.000 s \(history index 1\)/);
    const unordered = await runCli('check', file, '--workload', 'queue', '--unordered', '--json');
    assert.equal(unordered.code, ExitCode.Valid, unordered.out + unordered.err);
    assert.deepEqual((JSON.parse(unordered.out) as { checkers: { checker: string }[] }).checkers.map((c) => c.checker), ['queue']);
  });

  it('checks 10^5 operations in one sweep (60 000 elements: 0.24 s measured idle, bounded at 5 s here), and a reversed drain of 20 000 is 19 999 overtakings', () => {
    const events: HistoryEvent[] = [];
    const queue: number[] = [];
    let t = 0;
    const record = (process: number, f: string, input: Json, output: Json): void => {
      events.push({ index: events.length, time: (t += 5), process, type: 'invoke', f, value: input });
      events.push({ index: events.length, time: (t += 5), process, type: 'ok', f, value: output });
    };
    let next = 0;
    for (let i = 0; i < 100_000; i++) {
      // Deterministic mix: three enqueues, then two dequeues, repeated.
      if (i % 5 < 3) {
        queue.push(next);
        record(i % 6, 'enqueue', next, next++);
      } else record(i % 6, 'dequeue', null, queue.shift() ?? null);
    }
    record(7, 'drain', null, [...queue]);
    const started = performance.now();
    const r = checkFifo(opsOf(events));
    const ms = performance.now() - started;
    assert.equal(r.verdict, 'valid');
    assert.equal(r.checked, 60_000);
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
    events[events.length - 1] = { ...events.at(-1)!, value: [...queue].reverse() };
    const reversed = checkFifo(opsOf(events));
    assert.equal(reversed.verdict, 'invalid');
    assert.equal(reversed.overtaking, queue.length - 1);
    assert.equal(reversed.violations.length, 10);
  });
});
