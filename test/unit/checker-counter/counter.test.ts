import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkCounter } from '../../../src/checker/counter/index.js';
import type { Operation } from '../../../src/history/operation.js';
import { type OpSpec, opsOf, sequential } from '../checker-set/history.js';

describe('counter checker', () => {
  it('valid when reads lie within their bounds; failed adds never count', () => {
    const r = checkCounter(sequential([['add', 1], ['read', null, 1], ['add', 3, null, 'fail'], ['add', 2], ['read', null, 3]]));
    assert.equal(r.verdict, 'valid', r.explanation);
    assert.deepEqual(r.adds, { attempted: 3, acknowledged: 2, failed: 1, indeterminate: 0 });
  });

  it('an indeterminate add may or may not be counted, at any later time', () => {
    const ops = opsOf([
      { f: 'add', input: 5, type: 'info', call: 0 },
      { f: 'read', input: null, output: 0, type: 'ok', call: 1, ret: 2 },
      { f: 'read', input: null, output: 5, type: 'ok', call: 3, ret: 4 },
    ]);
    assert.equal(checkCounter(ops).verdict, 'valid');
  });

  it('a read below the acknowledged sum is invalid, with the read and its bounds', () => {
    const r = checkCounter(sequential([['add', 1], ['add', 2], ['read', null, 1]]));
    assert.equal(r.verdict, 'invalid');
    assert.deepEqual(r.examples[0], { event: 4, process: 2, value: 1, lower: 3, upper: 3 });
    assert.match(r.explanation, /returned 1, below 3/);
  });

  it('a read above every add that could have happened is invalid (a failed add counted, or one counted twice)', () => {
    const r = checkCounter(sequential([['add', 1], ['add', 2, null, 'fail'], ['read', null, 3]]));
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.examples[0]?.upper, 1);
    assert.match(r.explanation, /above 1/);
  });

  it('an add concurrent with a read may or may not be seen', () => {
    const ops = opsOf([
      { f: 'add', input: 2, type: 'ok', call: 0, ret: 10 },
      { f: 'read', input: null, output: 0, type: 'ok', call: 1, ret: 2 },
      { f: 'read', input: null, output: 2, type: 'ok', call: 1, ret: 2 },
    ]);
    assert.equal(checkCounter(ops).verdict, 'valid');
  });

  it('unknown without reads; invalid on a read that is not an integer', () => {
    assert.equal(checkCounter(sequential([['add', 1]])).verdict, 'unknown');
    assert.equal(checkCounter(sequential([['add', 1], ['read', null, 'x']])).verdict, 'invalid');
  });
});

/** The bounds by brute force: every add looked at for every read. */
function naiveBadReads(ops: readonly Operation[]): number {
  const adds = ops.filter((o) => o.f === 'add');
  return ops
    .filter((o) => o.f === 'read' && o.type === 'ok')
    .filter((r) => {
      const lower = adds.filter((a) => a.type === 'ok' && a.ret < r.call).reduce((s, a) => s + (a.input as number), 0);
      const upper = adds.filter((a) => a.type !== 'fail' && a.call <= r.ret).reduce((s, a) => s + (a.input as number), 0);
      return (r.output as number) < lower || (r.output as number) > upper;
    }).length;
}

const history = fc.array(
  fc.record({
    read: fc.boolean(),
    call: fc.nat(1000),
    span: fc.integer({ min: 1, max: 200 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    delta: fc.integer({ min: 1, max: 5 }),
    outcome: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail'),
    noise: fc.integer({ min: -3, max: 3 }),
  }),
  { minLength: 1, maxLength: 40 },
);

type Raw = typeof history extends fc.Arbitrary<infer T> ? T : never;

/** A correct counter: each add takes effect at a point inside its interval (an info one maybe never). */
function simulate(raw: Raw, noisy: boolean): OpSpec[] {
  const points = raw.map((r) => ({ ...r, ret: r.call + r.span, point: r.call + r.at * r.span }));
  const effects = points.filter((o) => !o.read && (o.outcome === 'ok' || (o.outcome === 'info' && o.at < 0.5)));
  const valueAt = (t: number): number => effects.filter((e) => e.point <= t).reduce((s, e) => s + e.delta, 0);
  return points.map((o) =>
    o.read
      ? { f: 'read', input: null, output: valueAt(o.point) + (noisy ? o.noise : 0), type: 'ok', call: o.call, ret: o.ret }
      : { f: 'add', input: o.delta, type: o.outcome as OpSpec['type'], call: o.call, ...(o.outcome === 'info' ? {} : { ret: o.ret }) },
  );
}

describe('counter checker properties', () => {
  it('a correct counter is never invalid', () => {
    fc.assert(
      fc.property(history, (raw) => {
        assert.notEqual(checkCounter(opsOf(simulate(raw, false))).verdict, 'invalid');
      }),
      { numRuns: 300 },
    );
  });

  it('finds exactly the reads a brute-force bounds check finds', () => {
    fc.assert(
      fc.property(history, (raw) => {
        const ops = opsOf(simulate(raw, true));
        const expected = naiveBadReads(ops);
        const r = checkCounter(ops);
        assert.equal(r.badReads, expected);
        assert.equal(r.verdict === 'invalid', expected > 0);
      }),
      { numRuns: 300 },
    );
  });
});
