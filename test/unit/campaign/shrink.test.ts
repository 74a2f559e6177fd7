import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anomalyKinds } from '../../../src/campaign/reproduce.js';
import { ddmin, describeUnit, faultUnits, scheduleOf } from '../../../src/campaign/shrink-faults.js';
import type { RecordedFault } from '../../../nemesis/replay.js';

describe('delta debugging', () => {
  it('finds exactly the faults a monotone failure needs, and the result is 1-minimal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 16 }), fc.nat(), async (items, pick) => {
        // The failure needs a non-empty subset of the items (a fault, or a combination of faults).
        const needed = items.filter((_, i) => (pick >> i) % 2 === 1 || i === pick % items.length);
        const fails = (subset: readonly number[]): boolean => needed.every((x) => subset.includes(x));
        let calls = 0;
        const { result, complete } = await ddmin(items, async (s) => (calls++, fails(s)));
        assert.ok(complete);
        assert.deepEqual([...result].sort((a, b) => a - b), [...needed].sort((a, b) => a - b));
        for (const x of result) assert.equal(fails(result.filter((y) => y !== x)), false, '1-minimal');
        assert.ok(calls <= items.length * items.length + 4, `bounded: ${calls} calls for ${items.length}`);
      }),
      { numRuns: 300 },
    );
  });

  it('stops when the budget does, with the smallest set so far', async () => {
    let left = 2;
    const { result, complete } = await ddmin([1, 2, 3, 4, 5, 6, 7, 8], async (s) => s.includes(3), () => left-- > 0);
    assert.equal(complete, false);
    assert.ok(result.includes(3) && result.length < 8);
  });
});

describe('fault units', () => {
  const s = (atMs: number, f: string, value: RecordedFault['value'] = null): RecordedFault => ({ atMs, f, value });
  const schedule = [s(1000, 'start-kill', 'nodes:n1'), s(2000, 'start-partition', { shape: 'isolate-one', grudge: { n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] } }), s(3000, 'stop-kill'), s(4000, 'start-kill', 'nodes:n3'), s(6000, 'stop-partition')];

  it('pair each start with the stop that ended it; a schedule is rebuilt in time order', () => {
    const units = faultUnits(schedule);
    assert.equal(units.length, 3);
    assert.deepEqual(units.map(describeUnit), ['kill of n1, 1.0 s–3.0 s', 'partition isolate-one (n2 | n1 n3), 2.0 s–6.0 s', 'kill of n3, 4.0 s–the end']);
    assert.deepEqual(scheduleOf([units[2]!, units[0]!]).map((x) => x.f), ['start-kill', 'stop-kill', 'start-kill']);
  });

  it('names what made a run invalid, transactional anomalies by type', () => {
    const kinds = anomalyKinds([
      { checker: 'set', verdict: 'invalid', details: {} },
      { checker: 'linearizable', verdict: 'valid', details: {} },
      { checker: 'transactions', verdict: 'invalid', details: { anomalyCounts: { 'G-single': 2, G0: 1 } } },
    ]);
    assert.deepEqual(kinds, ['set', 'transactions: G-single', 'transactions: G0']);
  });
});
