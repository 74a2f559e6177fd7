import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulate } from '../../../src/generator/simulate.js';
import { untilOk } from '../../../workloads/until-ok.js';

const invokes = (events: ReturnType<typeof simulate>): number[] => events.filter((e) => e.type === 'invoke').map((e) => e.time);

describe('untilOk (final reads)', () => {
  it('stops at the first ok, one attempt at a time, a gap apart', () => {
    let n = 0;
    const events = simulate(untilOk({ f: 'final-read', value: null }, 10, 1_000), {
      concurrency: 4,
      seed: 1,
      outcome: () => (++n < 3 ? { type: n === 1 ? 'fail' : 'info' } : { type: 'ok', value: [] }),
    });
    const times = invokes(events);
    assert.equal(times.length, 3);
    assert.ok(times[1]! - times[0]! >= 1_000 && times[2]! - times[1]! >= 1_000);
    assert.equal(events.filter((e) => e.type === 'ok').length, 1);
  });

  it('gives up after the given number of attempts', () => {
    const events = simulate(untilOk({ f: 'final-read', value: null }, 4, 10), { concurrency: 2, seed: 1, outcome: () => ({ type: 'fail' }) });
    assert.equal(invokes(events).length, 4);
  });
});
