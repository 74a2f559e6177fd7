import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkSetFull } from '../../../src/checker/set/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';

type Outcome = 'ok' | 'fail' | 'info-applied' | 'info-lost';
type Spec = { process: number; f: 'add' | 'read'; gap: number; length: number; at: number; outcome: Outcome };

/**
 * A correct grow-only set, concurrent: each process runs its operations one after another
 * (gap, then an interval of `length`), each takes effect at a point inside its interval; reads
 * return the set at their point. Returns the history and each read's completion, to tamper with.
 */
function simulate(specs: readonly Spec[]): { events: HistoryEvent[]; adds: Map<number, { ret: number }> } {
  const clock = new Map<number, number>();
  // A process whose operation never completed is gone; its slot continues as a new process.
  const ids = new Map<number, number>();
  let fresh = 100;
  type Op = { process: number; f: string; call: number; ret: number; point: number; input: Json; outcome: Outcome; output?: Json };
  const ops: Op[] = [];
  let next = 0;
  for (const s of specs) {
    const call = (clock.get(s.process) ?? 0) + s.gap + 1;
    const ret = call + s.length + 1;
    clock.set(s.process, ret);
    const point = call + (s.at % (ret - call + 1));
    const outcome: Outcome = s.f === 'read' && s.outcome !== 'fail' ? 'ok' : s.outcome;
    ops.push({ process: ids.get(s.process) ?? s.process, f: s.f, call, ret, point, input: s.f === 'add' ? next++ : null, outcome });
    if (outcome === 'info-applied' || outcome === 'info-lost') ids.set(s.process, fresh++);
  }
  const set: number[] = [];
  for (const o of [...ops].sort((a, b) => a.point - b.point)) {
    if (o.f === 'add' && (o.outcome === 'ok' || o.outcome === 'info-applied')) set.push(o.input as number);
    if (o.f === 'read') o.output = [...set];
  }
  const raw: { time: number; e: Omit<HistoryEvent, 'index' | 'time'> }[] = [];
  const adds = new Map<number, { ret: number }>();
  for (const o of ops) {
    raw.push({ time: o.call, e: { process: o.process, type: 'invoke', f: o.f, value: o.input } });
    if (o.outcome === 'info-applied' || o.outcome === 'info-lost') continue; // never completes
    const type = o.outcome === 'ok' ? 'ok' : 'fail';
    raw.push({ time: o.ret, e: { process: o.process, type, f: o.f, value: o.f === 'read' ? (type === 'ok' ? o.output! : null) : o.input } });
    if (o.f === 'add' && type === 'ok') adds.set(o.input as number, { ret: o.ret });
  }
  raw.sort((a, b) => a.time - b.time);
  return { events: raw.map((r, index) => ({ ...r.e, index, time: r.time }) as HistoryEvent), adds };
}

const spec: fc.Arbitrary<Spec> = fc.record({
  process: fc.integer({ min: 0, max: 3 }),
  f: fc.constantFrom<'add' | 'read'>('add', 'add', 'read'),
  gap: fc.integer({ min: 0, max: 5 }),
  length: fc.integer({ min: 0, max: 8 }),
  at: fc.nat(),
  outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'fail', 'info-applied', 'info-lost'),
});
const runs = fc.array(spec, { minLength: 3, maxLength: 40 });

describe('set-full', () => {
  it('a correct linearizable set: nothing lost, nothing stale, never invalid', () => {
    fc.assert(
      fc.property(runs, (specs) => {
        const { events } = simulate(specs);
        const r = checkSetFull(pairHistory(events).ops, { linearizable: true });
        assert.notEqual(r.verdict, 'invalid', r.explanation);
        assert.deepEqual(r.lost, []);
        assert.deepEqual(r.stale, []);
      }),
      { numRuns: 1000 },
    );
  });

  it('an element dropped from every read from one begun after its add completed: lost, always', () => {
    let tried = 0;
    fc.assert(
      fc.property(runs, fc.nat(), (specs, pick) => {
        const { events, adds } = simulate(specs);
        const candidates = [...adds.entries()].filter(([, a]) => events.some((e) => e.type === 'invoke' && e.f === 'read' && e.time > a.ret && hasCompletion(events, e)));
        if (candidates.length === 0) return;
        const [element, add] = candidates[pick % candidates.length]!;
        const from = events.find((e) => e.type === 'invoke' && e.f === 'read' && e.time > add.ret && hasCompletion(events, e))!;
        const tampered = dropFromReadsInvokedFrom(events, element, from.index);
        tried++;
        const r = checkSetFull(pairHistory(tampered).ops);
        assert.equal(r.verdict, 'invalid', r.explanation);
        assert.ok(r.lost.includes(element), `${element} not lost: ${r.explanation}`);
      }),
      { numRuns: 600 },
    );
    assert.ok(tried > 100, `only ${tried} runs had a read after an add`);
  });

  it('an element missing from one read begun after it was known, then back: stale — invalid only for a linearizable set', () => {
    const h: HistoryEvent[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'add', value: 1 },
      { index: 1, time: 1_000_000, process: 0, type: 'ok', f: 'add', value: 1 },
      { index: 2, time: 2_000_000, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3_000_000, process: 1, type: 'ok', f: 'read', value: [] },
      { index: 4, time: 9_000_000, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 5, time: 10_000_000, process: 1, type: 'ok', f: 'read', value: [1] },
    ];
    const plain = checkSetFull(pairHistory(h).ops);
    assert.equal(plain.verdict, 'valid');
    assert.deepEqual(plain.stale, [1]);
    const lin = checkSetFull(pairHistory(h).ops, { linearizable: true });
    assert.equal(lin.verdict, 'invalid');
    assert.match(lin.explanation, /element 1 was known at 0\.00 s \(history index 1\), yet the read by p1 begun at 0\.00 s \(history index 2\) missed it \(stable 1 ms after it was known\)/);
  });

  it('a duplicate in a read is invalid; nothing stable is unknown', () => {
    const dup: HistoryEvent[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'add', value: 1 },
      { index: 1, time: 1, process: 0, type: 'ok', f: 'add', value: 1 },
      { index: 2, time: 2, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3, process: 1, type: 'ok', f: 'read', value: [1, 1] },
    ];
    assert.equal(checkSetFull(pairHistory(dup).ops).verdict, 'invalid');
    assert.equal(checkSetFull(pairHistory(dup.slice(0, 2)).ops).verdict, 'unknown');
  });
});

function hasCompletion(events: readonly HistoryEvent[], invoke: HistoryEvent): boolean {
  return events.some((e) => e.index > invoke.index && e.process === invoke.process && e.type === 'ok' && e.f === 'read');
}

/** The element removed from every ok read whose invocation is at or after `fromIndex`. */
function dropFromReadsInvokedFrom(events: readonly HistoryEvent[], element: number, fromIndex: number): HistoryEvent[] {
  const open = new Map<number, number>();
  return events.map((e) => {
    if (e.f !== 'read') return e;
    if (e.type === 'invoke') open.set(Number(e.process), e.index);
    if (e.type === 'ok' && (open.get(Number(e.process)) ?? -1) >= fromIndex) return { ...e, value: (e.value as number[]).filter((v) => v !== element) };
    return e;
  });
}
