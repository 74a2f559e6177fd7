import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RandomStreams } from '../../../src/generator/random.js';

const draw = (streams: RandomStreams, name: string, n: number): number[] =>
  Array.from({ length: n }, () => streams.stream(name).int(0, 1_000_000));

describe('RandomStreams', () => {
  it('replays the same draws for the same seed', () => {
    assert.deepEqual(draw(new RandomStreams(7), 'ops', 50), draw(new RandomStreams(7), 'ops', 50));
  });

  it('gives different draws for different seeds and for different stream names', () => {
    assert.notDeepEqual(draw(new RandomStreams(7), 'ops', 50), draw(new RandomStreams(8), 'ops', 50));
    assert.notDeepEqual(draw(new RandomStreams(7), 'ops', 50), draw(new RandomStreams(7), 'faults', 50));
  });

  it('keeps streams independent: drawing faults does not shift ops', () => {
    const quiet = new RandomStreams(3);
    const busy = new RandomStreams(3);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 100; i++) {
      a.push(quiet.stream('ops').int(0, 99));
      busy.stream('faults').float();
      busy.stream('routing').int(0, 4);
      b.push(busy.stream('ops').int(0, 99));
    }
    assert.deepEqual(a, b);
  });

  it('draws integers within bounds and shuffles into permutations', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat(1000), fc.array(fc.nat()), (seed, lo, span, items) => {
        const rng = new RandomStreams(seed).stream('ops');
        const x = rng.int(lo, lo + span);
        assert.ok(x >= lo && x <= lo + span && Number.isInteger(x));
        const f = rng.float();
        assert.ok(f >= 0 && f < 1);
        assert.deepEqual(rng.shuffle(items).sort(), [...items].sort());
      }),
    );
  });

  it('rejects a seed that is not a safe integer', () => {
    assert.throws(() => new RandomStreams(1.5), RangeError);
  });
});
