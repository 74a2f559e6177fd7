import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEMESIS } from '../../../src/history/event.js';
import { type FaultKind, faultCycles, simulate } from '../../../src/generator/index.js';

describe('faultCycles', () => {
  const kinds: FaultKind[] = [{ name: 'partition', start: (ctx) => ctx.rng.pick(['halves', 'bridge']) }, { name: 'kill' }];

  it('alternates start and stop per kind, on the nemesis only, about every interval', () => {
    const h = simulate(faultCycles(kinds, 1000), { concurrency: 2, seed: 5, nemesis: true, maxTimeMs: 200_000 });
    const invokes = h.filter((e) => e.type === 'invoke');
    assert.ok(invokes.every((e) => e.process === NEMESIS));
    assert.ok(invokes.length > 150 && invokes.length < 250, `${invokes.length} faults in 200 s at one per ~1 s`);
    for (const name of ['partition', 'kill']) {
      const mine = invokes.filter((e) => e.f.endsWith(`-${name}`)).map((e) => e.f);
      assert.ok(mine.length > 20);
      mine.forEach((f, i) => assert.equal(f, `${i % 2 === 0 ? 'start' : 'stop'}-${name}`));
    }
    const shapes = new Set(invokes.filter((e) => e.f === 'start-partition').map((e) => e.value));
    assert.deepEqual([...shapes].sort(), ['bridge', 'halves']);
    assert.ok(invokes.filter((e) => e.f === 'start-kill').every((e) => e.value === null));
  });

  it('replays the same schedule for the same seed', () => {
    const run = (seed: number) => simulate(faultCycles(kinds, 500), { concurrency: 1, seed, nemesis: true, maxTimeMs: 20_000 });
    assert.deepEqual(run(9), run(9));
    assert.notDeepEqual(run(9), run(10));
  });
});
