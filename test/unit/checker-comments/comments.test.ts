import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkComments } from '../../../src/checker/comments/index.js';
import type { Operation } from '../../../src/history/operation.js';
import { type OpSpec, opsOf } from '../checker-set/history.js';

const w = (id: number, call: number, ret?: number, type: OpSpec['type'] = 'ok'): OpSpec => ({ f: 'write', input: id, type, call, ...(ret === undefined ? {} : { ret }) });
const r = (ids: number[], call: number, ret: number): OpSpec => ({ f: 'read', input: null, output: ids, type: 'ok', call, ret });

describe('comments checker', () => {
  it('valid when every read that sees a write sees the writes acknowledged before it began', () => {
    const res = checkComments(opsOf([w(1, 0, 10), w(2, 20, 30), w(3, 25, 40), r([1, 2], 35, 36), r([1, 3], 41, 42), r([], 1, 2)]));
    assert.equal(res.verdict, 'valid', res.explanation);
    assert.equal(res.reads, 3);
  });

  it('a later write visible without an earlier acknowledged one is invalid, in one sentence', () => {
    const res = checkComments(opsOf([w(1, 0, 10), w(2, 20, 30), r([2], 35, 36)]));
    assert.equal(res.verdict, 'invalid');
    assert.equal(res.anomalies[0]?.kind, 'missing');
    assert.match(res.explanation, /p2 read 1 ids at 0\.00 s \(history index \d+\) with no fault in effect: it saw id 2 \(written by p1: history index 2/);
    assert.match(res.explanation, /but not 1, although that write was acknowledged before it began \(1 by p0: history index 1/);
  });

  it('concurrent writes may be seen in either order; an unacknowledged write is never required', () => {
    assert.equal(checkComments(opsOf([w(1, 0, 30), w(2, 20, 40), r([2], 45, 46)])).verdict, 'valid');
    assert.equal(checkComments(opsOf([w(1, 0, undefined, 'info'), w(2, 20, 30), r([2], 35, 36)])).verdict, 'valid');
  });

  it('a visible write of unknown outcome happened: writes acknowledged before it began are required', () => {
    const res = checkComments(opsOf([w(1, 0, 10), w(2, 20, undefined, 'info'), r([2], 35, 36)]));
    assert.equal(res.verdict, 'invalid');
  });

  it('a failed write or an id nobody wrote seen by a read is invalid', () => {
    assert.equal(checkComments(opsOf([w(1, 0, 10, 'fail'), r([1], 20, 21)])).anomalies[0]?.kind, 'aborted-read');
    assert.equal(checkComments(opsOf([w(1, 0, 10), r([1, 7], 20, 21)])).anomalies[0]?.kind, 'garbage-read');
  });

  it('unknown without a completed read; malformed input is an input error', () => {
    assert.equal(checkComments(opsOf([w(1, 0, 10)])).verdict, 'unknown');
    assert.throws(() => checkComments(opsOf([w(1, 0, 10), w(1, 20, 30)])), /written again/);
    assert.throws(() => checkComments(opsOf([{ f: 'read', input: null, output: 3, type: 'ok', call: 0, ret: 1 }])), /list \(or set\) of visible ids/);
  });

  it('agrees with a brute force over every pair of writes, both ways', () => {
    fc.assert(
      fc.property(historyArb, (specs) => {
        const ops = opsOf(specs);
        const verdict = checkComments(ops).verdict;
        const bad = naiveBadReads(ops);
        const reads = ops.filter((o) => o.f === 'read' && o.type === 'ok').length;
        assert.equal(verdict, bad > 0 ? 'invalid' : reads === 0 ? 'unknown' : 'valid');
        assert.equal(checkComments(ops).badReads, bad);
      }),
      { numRuns: 1500 },
    );
  });

  it('a simulated strictly serializable store is never invalid', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(50), fc.integer({ min: 1, max: 20 }), fc.nat(20), fc.constantFrom('ok', 'info', 'fail')), { maxLength: 20 }), (steps) => {
        // Each write takes effect at one instant inside its interval; each read sees what took effect before its instant.
        const specs: OpSpec[] = [];
        const effects: { id: number; at: number }[] = [];
        let id = 0;
        steps.forEach(([isWrite, call, length, point, outcome]) => {
          const at = call + (point % length);
          if (isWrite) {
            const type = outcome as OpSpec['type'];
            if (type !== 'fail') effects.push({ id, at });
            specs.push(w(id++, call, type === 'info' ? undefined : call + length, type));
          } else specs.push({ f: 'read', input: null, output: [], type: 'ok', call, ret: call + length, at } as OpSpec & { at: number });
        });
        for (const s of specs) if (s.f === 'read') s.output = effects.filter((e) => e.at < (s as OpSpec & { at: number }).at).map((e) => e.id);
        assert.notEqual(checkComments(opsOf(specs)).verdict, 'invalid');
      }),
      { numRuns: 800 },
    );
  });
});

const historyArb = fc.integer({ min: 1, max: 8 }).chain((writes) =>
  fc.tuple(
    fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 15 }), fc.constantFrom('ok', 'ok', 'info', 'fail')), { minLength: writes, maxLength: writes }),
    fc.array(fc.tuple(fc.nat(60), fc.subarray([...Array(writes + 1).keys()])), { maxLength: 5 }),
  ).map(([ws, rs]): OpSpec[] => [
    ...ws.map(([call, length, type], id) => w(id, call, type === 'info' ? undefined : call + length, type as OpSpec['type'])),
    // Id `writes` was never written: a garbage read when it shows up.
    ...rs.map(([call, ids]) => r(ids, call, call + 1)),
  ]),
);

/** Bad reads by brute force: every visible write against every write. */
function naiveBadReads(ops: readonly Operation[]): number {
  const writes = ops.filter((o) => o.f === 'write');
  return ops
    .filter((o) => o.f === 'read' && o.type === 'ok')
    .filter((read) => {
      const seen = new Set(read.output as number[]);
      for (const id of seen) {
        const later = writes.find((x) => x.input === id);
        if (later === undefined || later.type === 'fail') return true;
        if (writes.some((earlier) => earlier.type === 'ok' && earlier.ret < later.call && !seen.has(earlier.input as number))) return true;
      }
      return false;
    }).length;
}
