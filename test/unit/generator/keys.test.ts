import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent, Key } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';
import { fn, limit, mix, overKeys, perKey, phases, repeat, simulate } from '../../../src/generator/index.js';

const registerOps = () =>
  mix([repeat({ f: 'read', value: null }), fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 4) }))]);

/** Largest number of keys being issued operations at once (between a key's first and last invocation). */
function maxConcurrentKeys(h: HistoryEvent[]): number {
  const span = new Map<Key, [number, number]>();
  for (const e of h) {
    if (e.type !== 'invoke') continue;
    const s = span.get(e.key as Key);
    span.set(e.key as Key, [s?.[0] ?? e.index, e.index]);
  }
  let max = 0;
  for (const [first] of span.values()) {
    max = Math.max(max, [...span.values()].filter(([a, b]) => a <= first && first <= b).length);
  }
  return max;
}

describe('perKey', () => {
  it('bounds operations per key and keys in flight', () => {
    const g = limit(600, perKey({ threadsPerKey: 2, opsPerKey: 40, gen: registerOps }));
    const h = simulate(g, { concurrency: 6, seed: 8, latencyMs: (_op, p) => 1 + ((p as number) % 4) });
    const { ops } = pairHistory(h);
    assert.equal(ops.length, 600);
    const perKeyCount = new Map<Key, number>();
    for (const op of ops) perKeyCount.set(op.key as Key, (perKeyCount.get(op.key as Key) ?? 0) + 1);
    assert.ok([...perKeyCount.values()].every((n) => n <= 40));
    const unfinished = [...perKeyCount.values()].filter((n) => n < 40);
    assert.ok(unfinished.length <= 3, 'only the keys still being worked on when the limit hit have fewer than opsPerKey');
    assert.ok(perKeyCount.size >= 15);
    const live = maxConcurrentKeys(h);
    assert.ok(live <= 3 && live >= 2, `six workers in groups of two work on at most three keys at once, saw ${live}`);
    // Each key is worked on by one group only: at most threadsPerKey threads (thread = process mod 6).
    for (const key of perKeyCount.keys()) {
      const threads = new Set(ops.filter((op) => op.key === key).map((op) => op.process % 6));
      assert.ok(threads.size <= 2);
    }
  });

  it('ends when its keys run out, and hands leftover workers to the last group', () => {
    const g = perKey({ threadsPerKey: 2, opsPerKey: 5, keys: ['a', 'b', 'c'], gen: registerOps });
    const { ops } = pairHistory(simulate(g, { concurrency: 5, seed: 1 }));
    assert.equal(ops.length, 15);
    assert.deepEqual([...new Set(ops.map((op) => op.key))].sort(), ['a', 'b', 'c']);
    assert.ok(ops.some((op) => op.process === 4), 'the fifth worker joined a group');
  });

  it('lets a final phase read every key that was used', () => {
    const g = phases(
      perKey({ threadsPerKey: 1, opsPerKey: 3, keys: [3, 1, 2, 'x'], gen: registerOps }),
      overKeys((key) => ({ f: 'final-read', value: null, key })),
    );
    const { ops } = pairHistory(simulate(g, { concurrency: 2, seed: 2 }));
    const finals = ops.filter((op) => op.f === 'final-read');
    assert.deepEqual(
      finals.map((op) => op.key),
      [1, 2, 3, 'x'],
    );
    const lastMain = Math.max(...ops.filter((op) => op.f !== 'final-read').map((op) => op.ret));
    assert.ok(finals.every((op) => op.call >= lastMain));
  });

  it('rejects a group size below one', () => {
    assert.throws(() => perKey({ threadsPerKey: 0, gen: registerOps }), RangeError);
  });
});
