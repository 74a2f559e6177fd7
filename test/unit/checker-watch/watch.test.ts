import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkWatch } from '../../../src/checker/watch/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';

type Outcome = 'ok' | 'fail' | 'info-applied' | 'info-lost';
type Step = { kind: 'put'; keys: number; outcome: Outcome; k1: number; k2: number } | { kind: 'watch'; back: number; lag: number; cut: number };
interface Ev {
  key: string;
  value: Json;
  revision: number;
}

/**
 * A correct store with a change stream, run one operation at a time: puts that took effect get
 * the next revision (both keys at one revision), watch windows deliver every change from their
 * start revision up to some revision already made, whole revisions per response. The history is
 * what a correct system records; `windows` lets a test tamper with what a watch delivered.
 */
function simulate(steps: readonly Step[]): { events: HistoryEvent[]; windows: { from: number; responses: Ev[][] }[]; acked: Set<Json> } {
  const log: Ev[] = [];
  const events: HistoryEvent[] = [];
  const windows: { from: number; responses: Ev[][] }[] = [];
  const acked = new Set<Json>();
  let revision = 0;
  let value = 0;
  let t = 0;
  steps.forEach((s, i) => {
    const process = i % 4;
    if (s.kind === 'put') {
      const keys = s.keys === 2 && s.k1 !== s.k2 ? [s.k1, s.k2] : [s.k1];
      const pairs = keys.map((k) => [`k${k}`, value++] as [string, number]);
      const applied = s.outcome === 'ok' || s.outcome === 'info-applied';
      if (applied) {
        revision++;
        for (const [key, v] of pairs) log.push({ key, value: v, revision });
      }
      const type = s.outcome === 'ok' ? 'ok' : s.outcome === 'fail' ? 'fail' : 'info';
      if (type === 'ok') for (const [, v] of pairs) acked.add(v);
      events.push({ index: events.length, time: (t += 10), process, type: 'invoke', f: 'put', value: pairs });
      events.push({ index: events.length, time: (t += 10), process, type, f: 'put', value: type === 'ok' ? revision : pairs });
    } else {
      const from = Math.max(1, revision - s.back);
      const upTo = Math.max(0, revision - s.lag);
      const shown = log.filter((e) => e.revision >= from && e.revision <= upTo);
      const responses: Ev[][] = [];
      for (const e of shown) {
        const prev = responses.at(-1);
        // A new response at a revision boundary, now and then: never splits a revision.
        if (prev !== undefined && (prev.at(-1)!.revision === e.revision || (e.revision + s.cut) % 3 !== 0)) prev.push(e);
        else responses.push([e]);
      }
      const w = { from, responses };
      windows.push(w);
      events.push({ index: events.length, time: (t += 10), process, type: 'invoke', f: 'watch', value: { windowMs: 500 } });
      events.push({ index: events.length, time: (t += 10), process, type: 'ok', f: 'watch', value: w as unknown as Json });
    }
  });
  return { events, windows, acked };
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), keys: fc.integer({ min: 1, max: 2 }), outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'fail', 'info-applied', 'info-lost'), k1: fc.integer({ min: 0, max: 3 }), k2: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('watch' as const), back: fc.integer({ min: 0, max: 8 }), lag: fc.integer({ min: 0, max: 2 }), cut: fc.integer({ min: 0, max: 2 }) }),
);
const run = fc.array(step, { minLength: 4, maxLength: 40 });

/** Rebuilds the history with the windows as tampered (the same objects the events hold). */
function rerecord(events: HistoryEvent[]): HistoryEvent[] {
  return events.map((e) => ({ ...e, value: JSON.parse(JSON.stringify(e.value)) as Json }));
}

describe('watch checker', () => {
  it('a correct store is never called invalid', () => {
    fc.assert(
      fc.property(run, (steps) => {
        const { events } = simulate(steps);
        const r = checkWatch(events);
        assert.notEqual(r.verdict, 'invalid', r.explanation);
      }),
      { numRuns: 500 },
    );
  });

  // Each tampering breaks one guarantee; the checker must see every one. (A change to an
  // event of a put whose outcome is unknown and that no other watch saw is not detectable:
  // nothing says it happened. Those that are acknowledged are.)
  const tamper: Record<string, (ws: { from: number; responses: Ev[][] }[], acked: Set<Json>) => boolean> = {
    'a missed event': (ws, acked) => {
      for (const w of ws) {
        const all = w.responses.flat();
        const last = Math.max(...all.map((e) => e.revision));
        for (const r of w.responses) {
          const i = r.findIndex((e) => e.revision < last && acked.has(e.value));
          if (i >= 0) return r.splice(i, 1).length === 1;
        }
      }
      return false;
    },
    'events out of order': (ws) => {
      for (const w of ws) {
        for (const r of w.responses) {
          for (let i = 0; i + 1 < r.length; i++) {
            if (r[i]!.revision < r[i + 1]!.revision) {
              [r[i], r[i + 1]] = [r[i + 1]!, r[i]!];
              return true;
            }
          }
        }
      }
      return false;
    },
    'a duplicate event': (ws) => {
      const r = ws.flatMap((w) => w.responses).find((x) => x.length > 0);
      if (r === undefined) return false;
      r.push({ ...r.at(-1)! });
      return true;
    },
    'a value nobody wrote': (ws) => {
      const r = ws.flatMap((w) => w.responses).find((x) => x.length > 0);
      if (r === undefined) return false;
      r[0] = { ...r[0]!, value: 'never-written' };
      return true;
    },
    'a wrong revision': (ws, acked) => {
      const r = ws.flatMap((w) => w.responses).find((x) => x.length > 0 && acked.has(x[0]!.value));
      if (r === undefined) return false;
      r[0] = { ...r[0]!, revision: r[0]!.revision + 1000 };
      return true;
    },
  };

  for (const [name, change] of Object.entries(tamper)) {
    it(`finds ${name}`, () => {
      let tried = 0;
      fc.assert(
        fc.property(run, (steps) => {
          const { events, windows, acked } = simulate(steps);
          if (!change(windows, acked)) return;
          tried++;
          const r = checkWatch(rerecord(events));
          assert.equal(r.verdict, 'invalid', `${name} not seen: ${r.explanation}`);
        }),
        { numRuns: 400 },
      );
      assert.ok(tried > 50, `only ${tried} runs could be tampered with`);
    });
  }

  it('a failed put seen, a put seen at two revisions, a split revision: each invalid with a sentence', () => {
    const put = (i: number, p: number, pairs: Json, type: HistoryEvent['type'], out: Json): HistoryEvent[] => [
      { index: i, time: i * 10, process: p, type: 'invoke', f: 'put', value: pairs },
      { index: i + 1, time: i * 10 + 5, process: p, type, f: 'put', value: out },
    ];
    const watch = (i: number, p: number, w: Json): HistoryEvent[] => [
      { index: i, time: i * 10, process: p, type: 'invoke', f: 'watch', value: null },
      { index: i + 1, time: i * 10 + 5, process: p, type: 'ok', f: 'watch', value: w },
    ];
    const failed = [...put(0, 0, [['k1', 1]], 'ok', 1), ...put(2, 1, [['k1', 2]], 'fail', [['k1', 2]]), ...watch(4, 2, { from: 1, responses: [[{ key: 'k1', value: 1, revision: 1 }], [{ key: 'k1', value: 2, revision: 2 }]] })];
    assert.match(checkWatch(failed).explanation, /the watch by p2 from revision 1 .* delivered k1=2 at revision 2, written by the put of k1=2 by p1 .*certainly failed/);
    const info = [...put(0, 0, [['k1', 1]], 'info', [['k1', 1]]), ...watch(2, 1, { from: 1, responses: [[{ key: 'k1', value: 1, revision: 3 }]] }), ...watch(4, 2, { from: 1, responses: [[{ key: 'k1', value: 1, revision: 4 }]] })];
    assert.match(checkWatch(info).explanation, /delivered at revision 3 to the watch by p1 and at revision 4/);
    const split = [...put(0, 0, [['k1', 1], ['k2', 2]], 'ok', 1), ...watch(2, 1, { from: 1, responses: [[{ key: 'k1', value: 1, revision: 1 }], [{ key: 'k2', value: 2, revision: 1 }]] })];
    assert.match(checkWatch(split).explanation, /revision 1 in two responses/);
    const partial = [...put(0, 0, [['k1', 1], ['k2', 2]], 'ok', 1), ...put(2, 0, [['k3', 3]], 'ok', 2), ...watch(4, 1, { from: 1, responses: [[{ key: 'k1', value: 1, revision: 1 }], [{ key: 'k3', value: 3, revision: 2 }]] })];
    assert.match(checkWatch(partial).explanation, /delivered revisions 1 to 2 but not k2 at revision 1, written by the put of k1=1, k2=2 by p0/);
  });

  it('an info put another watch saw must be delivered by every window that covers its revision', () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'put', value: [['k1', 1]] },
      { index: 1, time: 5, process: 0, type: 'info', f: 'put', value: [['k1', 1]] },
      { index: 2, time: 10, process: 0, type: 'invoke', f: 'put', value: [['k2', 2]] },
      { index: 3, time: 15, process: 0, type: 'ok', f: 'put', value: 2 },
      { index: 4, time: 20, process: 1, type: 'invoke', f: 'watch', value: null },
      { index: 5, time: 25, process: 1, type: 'ok', f: 'watch', value: { from: 1, responses: [[{ key: 'k2', value: 2, revision: 2 }]] } },
      { index: 6, time: 30, process: 2, type: 'invoke', f: 'watch', value: null },
      { index: 7, time: 35, process: 2, type: 'ok', f: 'watch', value: { from: 1, responses: [[{ key: 'k1', value: 1, revision: 1 }], [{ key: 'k2', value: 2, revision: 2 }]] } },
    ];
    const r = checkWatch(events);
    assert.equal(r.verdict, 'invalid');
    assert.match(r.explanation, /the watch by p1 .* not k1 at revision 1, written by the put of k1=1 by p0 .*outcome unknown, but a watch saw it/);
    // Without the second watch nothing shows the info put happened: valid.
    assert.equal(checkWatch(events.slice(0, 6)).verdict, 'valid');
    assert.equal(checkWatch(events).infoResolved, 1);
  });

  it('nothing watched is unknown, not valid', () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'put', value: [['k1', 1]] },
      { index: 1, time: 5, process: 0, type: 'ok', f: 'put', value: 1 },
    ];
    assert.equal(checkWatch(events).verdict, 'unknown');
  });
});
