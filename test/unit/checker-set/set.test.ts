import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkSetFinal, checkSetReads } from '../../../src/checker/set/index.js';
import type { Json } from '../../../src/history/event.js';
import { type OpSpec, opsOf, sequential } from './history.js';

describe('set checker: final read', () => {
  it('valid when every acknowledged add is in the final read; indeterminate ones may be there or not', () => {
    const ops = sequential([
      ['add', 1],
      ['add', 2, null, 'info'],
      ['add', 3, null, 'info'],
      ['add', 4, null, 'fail'],
      ['final-read', null, [3, 1]],
    ]);
    const r = checkSetFinal(ops);
    assert.equal(r.verdict, 'valid', r.explanation);
    assert.deepEqual(r.adds, { attempted: 4, acknowledged: 1, failed: 1, indeterminate: 2 });
    assert.deepEqual(r.recovered, { count: 1, elements: [3] });
    assert.equal(r.indeterminateAbsent, 1);
    assert.equal(r.lost.count, 0);
  });

  it('invalid on lost, unexpected, duplicated and failed-but-present elements, with counts', () => {
    const ops = sequential([
      ['add', 1],
      ['add', 2],
      ['add', 3],
      ['add', 4, null, 'fail'],
      ['final-read', null, [1, 1, 4, 99]],
    ]);
    const r = checkSetFinal(ops);
    assert.equal(r.verdict, 'invalid');
    assert.deepEqual(r.lost, { count: 2, elements: [2, 3] });
    assert.deepEqual(r.unexpected, { count: 1, elements: [99] });
    assert.deepEqual(r.duplicated, { count: 1, elements: [1] });
    assert.deepEqual(r.failedButPresent, { count: 1, elements: [4] });
    assert.match(r.explanation, /2 \(2, 3\) of 3 acknowledged adds are missing/);
    // Since when: the earliest lost add, and the final read that lacks it, by history index.
    assert.match(r.explanation, /the first, 2, was added by p1, acknowledged at [\d.]+ s \(history index 3\), and is not in the final read at [\d.]+ s \(history index 9\)/);
  });

  it('unknown without a final read; the last final read that completed is the one judged', () => {
    assert.equal(checkSetFinal(sequential([['add', 1], ['final-read', null, null, 'info']])).verdict, 'unknown');
    const r = checkSetFinal(sequential([['add', 1], ['final-read', null, []], ['final-read', null, [1]]]));
    assert.equal(r.verdict, 'valid');
    assert.equal(r.finalRead?.size, 1);
  });

  it('tells 1 and "1" apart', () => {
    assert.equal(checkSetFinal(sequential([['add', 1], ['final-read', null, ['1']]])).verdict, 'invalid');
  });
});

describe('set checker: reads during the run', () => {
  it('valid for reads that grow with real time', () => {
    const ops = sequential([['add', 1], ['read', null, [1]], ['add', 2], ['read', null, [1, 2]]]);
    assert.equal(checkSetReads(ops).verdict, 'valid');
  });

  it('a read missing an element acknowledged before it began is invalid', () => {
    const r = checkSetReads(sequential([['add', 1], ['add', 2], ['read', null, [1]]]));
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.examples[0]?.missingCount, 1);
    assert.deepEqual(r.examples[0]?.missing, [2]);
  });

  it('an element that disappears after a finished read saw it is invalid, even if its add is still pending', () => {
    const ops = opsOf([
      { f: 'add', input: 7, type: 'info', call: 0 },
      { f: 'read', input: null, output: [7], type: 'ok', call: 1, ret: 2 },
      { f: 'read', input: null, output: [], type: 'ok', call: 3, ret: 4 },
    ]);
    const r = checkSetReads(ops);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.examples[0]?.event, 3);
  });

  it('a read holding an element added only after it ended, or never, is invalid', () => {
    const r = checkSetReads(sequential([['read', null, [5, 6]], ['add', 5]]));
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.examples[0]?.prematureCount, 2);
  });

  it('concurrent reads that each miss the other\'s element are incomparable', () => {
    const ops = opsOf([
      { f: 'add', input: 1, type: 'ok', call: 0, ret: 10 },
      { f: 'add', input: 2, type: 'ok', call: 0, ret: 10 },
      { f: 'read', input: null, output: [1], type: 'ok', call: 1, ret: 9 },
      { f: 'read', input: null, output: [2], type: 'ok', call: 1, ret: 9 },
    ]);
    const r = checkSetReads(ops);
    assert.equal(r.badReads, 0);
    assert.equal(r.incomparable.count, 1);
    assert.equal(r.verdict, 'invalid');
  });
});

/** A random concurrent history of a correct grow-only set: each op takes effect at a point inside its interval. */
const correctHistory = fc
  .array(
    fc.record({ read: fc.boolean(), call: fc.nat(1000), span: fc.integer({ min: 1, max: 200 }), at: fc.double({ min: 0, max: 1, noNaN: true }), outcome: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail') }),
    { minLength: 1, maxLength: 40 },
  )
  .map((raw) => {
    let element = 0;
    const ops = raw.map((r) => ({ ...r, element: r.read ? null : element++, ret: r.call + r.span, point: r.call + r.at * r.span }));
    // Infos take effect (or not) at their point; failures never.
    const effects = ops.filter((o) => o.element !== null && o.outcome !== 'fail' && (o.outcome === 'ok' || o.at < 0.5)).sort((a, b) => a.point - b.point);
    const setAt = (t: number): Json[] => effects.filter((e) => e.point <= t).map((e) => e.element);
    const specs: OpSpec[] = ops.map((o) =>
      o.element === null
        ? { f: 'read', input: null, output: setAt(o.point), type: 'ok', call: o.call, ret: o.ret }
        : { f: 'add', input: o.element, type: o.outcome as OpSpec['type'], call: o.call, ...(o.outcome === 'info' ? {} : { ret: o.ret }) },
    );
    specs.push({ f: 'final-read', input: null, output: setAt(Infinity), type: 'ok', call: 5000, ret: 5001 });
    return specs;
  });

describe('set checker properties', () => {
  it('a correct set is always valid, on the final read and on every read', () => {
    fc.assert(
      fc.property(correctHistory, (specs) => {
        const ops = opsOf(specs);
        assert.equal(checkSetFinal(ops).verdict, 'valid');
        assert.equal(checkSetReads(ops).verdict, 'valid');
      }),
      { numRuns: 200 },
    );
  });

  it('dropping acknowledged elements from the final read makes it invalid, with exactly that many lost', () => {
    fc.assert(
      fc.property(correctHistory, fc.integer({ min: 1, max: 5 }), (specs, drop) => {
        const final = specs.at(-1)!;
        const acked = new Set(specs.filter((s) => s.f === 'add' && s.type === 'ok').map((s) => s.input));
        const gone = (final.output as Json[]).filter((e) => acked.has(e)).slice(0, drop);
        fc.pre(gone.length > 0);
        final.output = (final.output as Json[]).filter((e) => !gone.includes(e));
        const r = checkSetFinal(opsOf(specs));
        assert.equal(r.verdict, 'invalid');
        assert.equal(r.lost.count, gone.length);
      }),
      { numRuns: 200 },
    );
  });
});
