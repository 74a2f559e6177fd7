import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkSequential } from '../../../src/checker/sequential/index.js';
import type { Json } from '../../../src/history/event.js';
import { sequential } from '../checker-set/history.js';

const reads = (...values: Json[]) => sequential(values.map((v) => ['read', null, v] as [string, Json, Json]));

describe('sequential checker', () => {
  it('valid when, in read order, every subkey after a present one is present', () => {
    const res = checkSequential(reads([null, null, 1, 1], [1, 1, 1, 1], [null, null, null, null], [7, [null, 1, 1]]));
    assert.equal(res.verdict, 'valid', res.explanation);
    assert.deepEqual([res.none, res.some, res.all], [1, 2, 1]);
  });

  it('a present subkey followed by a missing one is invalid, in one sentence', () => {
    const res = checkSequential(reads([null, 1, null, 1], [5, [1, null]]));
    assert.equal(res.verdict, 'invalid');
    assert.equal(res.badReads, 2);
    assert.match(res.explanation, /p0 read the subkeys \(history index 1\) with no fault in effect and got \[nil 1 nil 1\] in read order: it saw 1 \(the subkey read 2nd, written later\) but nothing for the one read 3rd/);
    assert.match(res.anomalies[1]!.explanation, /of key 5/);
  });

  it('unknown without a completed read; a read that is not a list is an input error', () => {
    assert.equal(checkSequential(sequential([['write', 1]])).verdict, 'unknown');
    assert.throws(() => checkSequential(reads(3)), /subkeys' values in read order/);
  });

  it('agrees with a brute force over every pair of positions, both ways', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.option(fc.nat(3), { nil: null }), { maxLength: 6 }), { maxLength: 6 }), (values) => {
        const naive = values.filter((v) => v.some((x, i) => x !== null && v.slice(i + 1).some((y) => y === null))).length;
        const res = checkSequential(reads(...values));
        assert.equal(res.badReads, naive);
        assert.equal(res.verdict, naive > 0 ? 'invalid' : values.length === 0 ? 'unknown' : 'valid');
      }),
      { numRuns: 1000 },
    );
  });
});
