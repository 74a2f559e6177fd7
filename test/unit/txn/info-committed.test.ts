/**
 * An indeterminate (info) transaction whose write a committed read saw did commit: all its
 * writes count, and its own reads stay unknown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { check, sequential, txn } from './build.js';
import { CONSISTENCY_MODELS, forbiddenBy, formatTxnResult } from '../../../src/checker/txn/index.js';

describe('info transactions seen committed', () => {
  it('list-append: a read that sees one append of an info transaction but not its other is G-single', () => {
    const ops = sequential(
      txn(0, [['append', 0, 1], ['append', 1, 1]], 'info'),
      txn(1, [['r', 0, [1]], ['r', 1, []]]),
    );
    const r = check(ops, 'serializable');
    assert.equal(r.verdict, 'invalid');
    assert.deepEqual(r.anomalyTypes, ['G-single-item']);
    assert.equal(r.stats.inferredCommitted, 1);
    assert.match(r.anomalies[0]!.explanation, /T0 \(info, committed: its append 1 to key 0 was read by T1\)/);
    assert.match(formatTxnResult(r), /1 of them seen committed/);
    // Invalid exactly under the models that forbid G-single (as Elle: not the read-atomic family).
    for (const m of CONSISTENCY_MODELS) {
      const v = check(ops, m).verdict;
      assert.equal(v, forbiddenBy(m).has('G-single-item') ? 'invalid' : 'valid', m);
    }
  });

  it('rw-register: the same read skew through an info writer', () => {
    const ops = sequential(
      txn(0, [['w', 'x', 1], ['w', 'y', 1]], 'info'),
      txn(1, [['r', 'x', 1], ['r', 'y', null]]),
    );
    const r = check(ops, 'serializable', 'rw-register');
    assert.equal(r.verdict, 'invalid');
    assert.deepEqual(r.anomalyTypes, ['G-single-item']);
    assert.equal(r.stats.inferredCommitted, 1);
    assert.match(r.anomalies[0]!.explanation, /T0 \(info, committed: its write 1 to key x was read by T1\)/);
  });

  it('an info transaction nobody saw stays unknown, and so do the reads of one that was seen', () => {
    // T0 is never seen: its append to y is not owed to T1.
    const unseen = sequential(txn(0, [['append', 'y', 1]], 'info'), txn(1, [['r', 'y', []]]));
    assert.equal(check(unseen, 'strict-serializable').verdict, 'valid');
    assert.equal(check(unseen, 'strict-serializable').stats.inferredCommitted, 0);
    // T0's reads are unknown (as invoked: nil), so they oblige nothing even though T0 committed.
    const seen = sequential(txn(0, [['r', 'y', null], ['append', 'x', 1]], 'info'), txn(1, [['append', 'y', 5]]), txn(2, [['r', 'x', [1]], ['r', 'y', [5]]]));
    assert.equal(check(seen, 'strict-serializable').verdict, 'valid');
  });

  it('no real-time or process edge leaves an info transaction: it may take effect after its successors', () => {
    // T0 (info) is seen by T2, which was invoked after T1 completed; T1 missed T0's append.
    // T0 may have taken effect after T1, so this is strict-serializable.
    const ops = sequential(
      txn(0, [['append', 'x', 1]], 'info'),
      txn(0, [['r', 'x', []]]),
      txn(1, [['r', 'x', [1]]]),
    );
    for (const m of ['strict-serializable', 'strong-session-serializable'] as const) assert.equal(check(ops, m).verdict, 'valid', m);
    // But edges into one are sound: T0 invoked after T1 read x = [] cannot come before it.
    const into = sequential(txn(1, [['r', 'x', [1]]]), txn(0, [['append', 'x', 1]], 'info'));
    assert.equal(check(into, 'strict-serializable').verdict, 'invalid');
  });
});
