import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLock, criticalSections, overlaps } from '../../../src/checker/lock/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';

type Outcome = 'ok' | 'fail' | 'info';
interface Step {
  f: 'acquire' | 'release' | 'rmw';
  outcome: Outcome;
  lost: boolean;
}

/** Random lock histories: each process runs its steps in order; steps of all processes interleave at random. */
const histories = fc
  .array(
    fc.array(
      fc.record({
        f: fc.constantFrom<Step['f']>('acquire', 'release', 'rmw'),
        outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'fail', 'info'),
        lost: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .chain((processes) => {
    // Each step is two events (invoke, completion), except an info that never completes (last step only).
    const slots: number[] = [];
    processes.forEach((steps, p) => {
      let open = true;
      steps.forEach((s, i) => {
        if (!open) return;
        slots.push(p);
        if (!(s.outcome === 'info' && i === steps.length - 1)) slots.push(p);
        if (s.outcome === 'info') open = false;
      });
    });
    return fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length }).map((order) => build(processes, order));
  });

function build(processes: Step[][], order: number[]): HistoryEvent[] {
  const cursor = processes.map(() => ({ step: 0, invoked: false }));
  const events: HistoryEvent[] = [];
  for (const p of order) {
    const c = cursor[p]!;
    const s = processes[p]![c.step]!;
    const index = events.length;
    if (!c.invoked) {
      events.push({ index, time: index, process: p, type: 'invoke', f: s.f, value: null });
      c.invoked = true;
      continue;
    }
    const value: Json = s.outcome !== 'ok' ? null : s.f === 'acquire' ? { token: `p${p}s${c.step}` } : s.f === 'release' ? { token: 'x', lost: s.lost } : [0, 1];
    events.push({ index, time: index, process: p, type: s.outcome, f: s.f, value });
    c.step++;
    c.invoked = false;
  }
  return events;
}

/**
 * The reference: at every point between two event times, which processes certainly hold the
 * lock, read straight off each process's events: from an ok acquire's completion until the
 * invocation of a release that did not fail, or until the completion of an info (the process
 * ends), or to the end.
 */
function holdersAt(history: readonly HistoryEvent[], t: number): Set<number> {
  const holders = new Set<number>();
  const byProcess = new Map<number, HistoryEvent[]>();
  for (const e of history) if (typeof e.process === 'number') byProcess.set(e.process, [...(byProcess.get(e.process) ?? []), e]);
  for (const [p, events] of byProcess) {
    let holding = false;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.time > t) {
        // A release invoked after t that ends up not failing ends the hold only after t.
        break;
      }
      if (e.type === 'ok' && e.f === 'acquire') holding = true;
      else if (e.type === 'invoke' && e.f === 'release') {
        const done = events[i + 1];
        if (done === undefined || done.type !== 'fail') holding = false;
      } else if (e.type === 'info') holding = false;
    }
    if (holding) holders.add(p);
  }
  return holders;
}

function referencePairs(history: readonly HistoryEvent[]): Set<string> {
  const pairs = new Set<string>();
  for (let t = 0.5; t < history.length; t++) {
    const h = [...holdersAt(history, t)].sort((a, b) => a - b);
    for (let i = 0; i < h.length; i++) for (let j = i + 1; j < h.length; j++) pairs.add(`${h[i]}-${h[j]}`);
  }
  return pairs;
}

describe('critical-section checker', () => {
  it('finds exactly the overlaps a point-by-point reference finds (no false alarm, no miss)', () => {
    fc.assert(
      fc.property(histories, (history) => {
        const expected = referencePairs(history);
        const { pairs, count } = overlaps(criticalSections(pairHistory(history).ops), Infinity);
        const found = new Set(pairs.map((o) => [o.first.process, o.second.process].sort((a, b) => a - b).join('-')));
        assert.deepEqual([...found].sort(), [...expected].sort());
        assert.equal(count, pairs.length);
        const result = checkLock(history);
        if (expected.size > 0) assert.equal(result.verdict, 'invalid');
        else assert.equal(result.verdict, criticalSections(pairHistory(history).ops).length === 0 ? 'unknown' : 'valid');
      }),
      { numRuns: 3000 },
    );
  });

  const ev = (index: number, process: number, type: HistoryEvent['type'], f: string, value: Json = null, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({
    index,
    time: index * 1e9,
    process,
    type,
    f,
    value,
    ...extra,
  });

  it('a lease lost before release is no violation unless someone else was inside meanwhile', () => {
    const lostAlone = [
      ev(0, 0, 'invoke', 'acquire'),
      ev(1, 0, 'ok', 'acquire', { token: 'a' }),
      ev(2, 0, 'invoke', 'release', 'a'),
      ev(3, 0, 'ok', 'release', { token: 'a', lost: true }),
      ev(4, 1, 'invoke', 'acquire'),
      ev(5, 1, 'ok', 'acquire', { token: 'b' }),
    ];
    const r = checkLock(lostAlone);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.lostReleases, 1);
    assert.match(r.explanation, /found the lock already gone/);
  });

  it('explains an overlap with holders, nodes, times, indices and the faults in effect', () => {
    const history: HistoryEvent[] = [
      ev(0, 5, 'invoke', 'acquire', null, { node: 'n2' }),
      ev(1, 5, 'ok', 'acquire', { token: 'a', fence: 3 }, { node: 'n2' }),
      { index: 2, time: 1.5e9, process: 'nemesis', type: 'invoke', f: 'start-client-pause', value: 15000 },
      ev(3, 7, 'invoke', 'acquire', null, { node: 'n1' }),
      ev(4, 7, 'ok', 'acquire', { token: 'b', fence: 4 }, { node: 'n1' }),
      ev(5, 7, 'invoke', 'release', 'b', { node: 'n1' }),
      ev(6, 7, 'ok', 'release', { token: 'b', lost: false }, { node: 'n1' }),
      { index: 7, time: 7e9, process: 'nemesis', type: 'info', f: 'start-client-pause', value: { fault: 'client-pause', active: false, targets: ['process 5'], details: { applied: true } } },
      ev(8, 5, 'invoke', 'release', 'a', { node: 'n3' }),
      ev(9, 5, 'ok', 'release', { token: 'a', lost: true }, { node: 'n3' }),
    ];
    const r = checkLock(history, { ttlMs: 5000 });
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.overlapCount, 1);
    assert.equal(
      r.explanation,
      'p5 (n2) held the lock from 1.00 s (index 1) and began releasing it at 8.00 s (index 8), 7.0 s after its grant, past the 5 s TTL and found it already gone: its lease had expired on the server; meanwhile p7 (n1) acquired it at 4.00 s (index 4) (fences 3 and 4), so both were inside from 4.00 s to 5.00 s; faults in effect: client-pause process 5.',
    );
  });

  it('a failed release keeps the holder inside; a retired holder leaves at its last completion', () => {
    const history = [
      ev(0, 0, 'invoke', 'acquire'),
      ev(1, 0, 'ok', 'acquire', { token: 'a' }),
      ev(2, 0, 'invoke', 'release', 'a'),
      ev(3, 0, 'fail', 'release', 'a'),
      ev(4, 1, 'invoke', 'acquire'),
      ev(5, 1, 'ok', 'acquire', { token: 'b' }),
      ev(6, 0, 'invoke', 'rmw'),
      ev(7, 0, 'info', 'rmw'),
    ];
    const sections = criticalSections(pairHistory(history).ops);
    assert.deepEqual(sections.map((s) => [s.process, s.ending, s.endIndex]), [[0, 'retired', 7], [1, 'held-at-end', -1]]);
    assert.equal(checkLock(history).verdict, 'invalid');
  });

  it('fences must grow with every grant', () => {
    const grants = (a: number, b: number): HistoryEvent[] => [
      ev(0, 0, 'invoke', 'acquire'),
      ev(1, 0, 'ok', 'acquire', { token: 'a', fence: a }),
      ev(2, 0, 'invoke', 'release', 'a'),
      ev(3, 0, 'ok', 'release', { token: 'a', lost: false }),
      ev(4, 1, 'invoke', 'acquire'),
      ev(5, 1, 'ok', 'acquire', { token: 'b', fence: b }),
    ];
    assert.equal(checkLock(grants(3, 4)).verdict, 'valid');
    assert.equal(checkLock(grants(4, 4)).verdict, 'invalid');
    assert.match(checkLock(grants(5, 4)).explanation, /Fencing tokens went backwards/);
  });
});
