/**
 * Linearizable keys order reads too (Elle's linearizable-keys): a read-only transaction that
 * completed before a write began saw an earlier version than that write's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEvent } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { check } from './build.js';
import { observedPairs } from '../../../src/checker/txn/observed-order.js';
import { explainable } from './oracle.js';

type Ev = [process: number, type: 'invoke' | 'ok', value: unknown];

function history(evs: Ev[]): Operation[] {
  return pairHistory(evs.map(([process, type, value], index) => ({ process, type, f: 'txn', value, index, time: index }) as HistoryEvent)).ops;
}

// T0 writes x = 1 over the whole history; T1 reads x = 1 and completes before T2 writes
// x = 2 and y = 2; T3, concurrent with all, reads y = 2 and x = 1. By the writes' real time
// alone x's order is open (T2's 2 then T0's 1 explains it all); T1's read fixes 1 < 2.
const readOnlyOrders = history([
  [0, 'invoke', [['w', 'x', 1]]],
  [3, 'invoke', [['r', 'y', null], ['r', 'x', null]]],
  [1, 'invoke', [['r', 'x', null]]],
  [1, 'ok', [['r', 'x', 1]]],
  [2, 'invoke', [['w', 'x', 2], ['w', 'y', 2]]],
  [2, 'ok', [['w', 'x', 2], ['w', 'y', 2]]],
  [0, 'ok', [['w', 'x', 1]]],
  [3, 'ok', [['r', 'y', 2], ['r', 'x', 1]]],
]);

/** T0 wrote x = 1 and completed; only then was T1 invoked, and it read nil there. */
const writeThenNilRead = (): Operation[] =>
  history([
    [0, 'invoke', [['w', 'x', 1]]],
    [0, 'ok', [['w', 'x', 1]]],
    [1, 'invoke', [['r', 'x', null]]],
    [1, 'ok', [['r', 'x', null]]],
  ]);

describe('rw-register: linearizable keys order reads', () => {
  it('a read-only transaction before a write orders the versions', () => {
    const r = check(readOnlyOrders, 'serializable', 'rw-register', { linearizableKeys: true });
    assert.equal(r.verdict, 'invalid', r.anomalies.map((a) => a.explanation).join('\n'));
    assert.ok(r.versionOrder.includes('linearizable-reads'), r.versionOrder.join());
    const text = r.anomalies.map((a) => a.explanation).join('\n');
    assert.match(text, /T2 saw 1 on key x and completed before T3 saw 2 there was invoked; the key is linearizable, so 1 precedes 2; T1 read 1 ⇒ T1 rw→ T3/);
  });

  it('without the assertion the order stays open and the history is serializable', () => {
    assert.notEqual(check(readOnlyOrders, 'serializable', 'rw-register').verdict, 'invalid');
  });

  it('a write seen before a read of nil on a linearizable key is an incompatible order', () => {
    const r = check(writeThenNilRead(), 'serializable', 'rw-register', { linearizableKeys: true });
    assert.ok(r.anomalyTypes.includes('incompatible-order'), r.anomalyTypes.join());
  });

  it('is not strict serializability: transactions sharing no key stay unordered by real time', () => {
    // T1 saw T0's j and completed before T2 was invoked, which missed T0's m: T2, T0, T1 is
    // serializable and each key on its own linearizable, but real time puts T1 before T2.
    const ops = history([
      [0, 'invoke', [['w', 'j', 1], ['w', 'm', 1]]],
      [1, 'invoke', [['r', 'j', null]]],
      [1, 'ok', [['r', 'j', 1]]],
      [2, 'invoke', [['r', 'm', null]]],
      [2, 'ok', [['r', 'm', null]]],
      [0, 'ok', [['w', 'j', 1], ['w', 'm', 1]]],
    ]);
    assert.equal(check(ops, 'serializable', 'rw-register', { linearizableKeys: true }).verdict, 'valid');
    assert.equal(explainable(ops, 'rw-register', 'none', undefined, 'linearizable'), true);
    const strict = check(ops, 'strict-serializable', 'rw-register');
    assert.deepEqual(strict.anomalyTypes, ['G-single-item-realtime']);
    assert.equal(explainable(ops, 'rw-register', 'realtime'), false);
  });

  it('a read of a value completed before its writer was invoked is an incompatible order', () => {
    // T0 read x = 1 and completed; only then was T1, which wrote 1, invoked.
    const ops = history([
      [0, 'invoke', [['r', 'x', null]]],
      [0, 'ok', [['r', 'x', 1]]],
      [1, 'invoke', [['w', 'x', 1]]],
      [1, 'ok', [['w', 'x', 1]]],
    ]);
    assert.equal(check(ops, 'serializable', 'rw-register').verdict, 'valid');
    const r = check(ops, 'serializable', 'rw-register', { linearizableKeys: true });
    assert.deepEqual(r.anomalyTypes, ['incompatible-order']);
    assert.match(r.anomalies[0]!.explanation, /T0 read key x = 1 and completed before T1, which wrote it, was invoked; the key is linearizable, so no version order fits/);
  });

  it('a version seen before a read of the initial nil was invoked is an incompatible order', () => {
    const ops = writeThenNilRead();
    assert.equal(check(ops, 'serializable', 'rw-register').verdict, 'valid');
    const r = check(ops, 'serializable', 'rw-register', { linearizableKeys: true });
    assert.deepEqual(r.anomalyTypes, ['incompatible-order']);
    assert.match(r.anomalies[0]!.explanation, /T0 saw key x = 1 and completed before T1 was invoked, which read nil \(the initial state\) there; the key is linearizable, so no version order fits/);
  });

  it('pairs only strictly ordered, different versions (or a read before its write), and never an info transaction first', () => {
    const pairs = observedPairs([
      { txn: 0, elem: 0, write: false, call: 0, ret: 1 },
      { txn: 1, elem: 0, write: false, call: 2, ret: 3 },
      { txn: 2, elem: 1, write: false, call: 4, ret: 5 },
      { txn: 3, elem: 2, write: false, call: 0, ret: Infinity },
    ]);
    assert.deepEqual(pairs.map((p) => [p.first.txn, p.second.txn]), [[1, 2]]);
    const readThenWrite = observedPairs([
      { txn: 0, elem: 0, write: false, call: 0, ret: 1 },
      { txn: 1, elem: 0, write: true, call: 2, ret: 3 },
      { txn: 2, elem: 0, write: false, call: 4, ret: 5 },
    ]);
    assert.deepEqual(readThenWrite.map((p) => [p.first.txn, p.second.txn]), [[0, 1]]);
  });
});

// The same on one process: T0 (process 0) reads x = 1, then T1 (process 0) writes x = 2 and
// y = 2; T2 (process 1) writes x = 1 over everything; T3 (process 2) reads y = 2 and x = 1. No
// two writes of x are on one process, so only T0's read orders 1 before 2.
const sessionReads = history([
  [1, 'invoke', [['w', 'x', 1]]],
  [2, 'invoke', [['r', 'y', null], ['r', 'x', null]]],
  [0, 'invoke', [['r', 'x', null]]],
  [0, 'ok', [['r', 'x', 1]]],
  [0, 'invoke', [['w', 'x', 2], ['w', 'y', 2]]],
  [0, 'ok', [['w', 'x', 2], ['w', 'y', 2]]],
  [1, 'ok', [['w', 'x', 1]]],
  [2, 'ok', [['r', 'y', 2], ['r', 'x', 1]]],
]);

describe('rw-register: process order orders reads', () => {
  it('asserted by sequential keys, at serializable: rw edges', () => {
    assert.notEqual(check(sessionReads, 'serializable', 'rw-register').verdict, 'invalid');
    const r = check(sessionReads, 'serializable', 'rw-register', { sequentialKeys: true });
    assert.equal(r.verdict, 'invalid', r.anomalies.map((a) => a.explanation).join('\n'));
    assert.deepEqual(r.versionOrder, ['reads', 'wfr', 'sequential-keys', 'sequential-reads']);
    assert.match(
      r.anomalies.map((a) => a.explanation).join('\n'),
      /T2 saw 1 on key x and ran on process 0 before T3 saw 2 there was invoked; the key is sequential, so 1 precedes 2; T1 read 1 ⇒ T1 rw→ T3/,
    );
  });

  it('implied by strong-session-serializable: process edges, their cycles -process', () => {
    const r = check(sessionReads, 'strong-session-serializable', 'rw-register');
    assert.equal(r.verdict, 'invalid');
    assert.ok(r.anomalyTypes.length > 0 && r.anomalyTypes.every((t) => t.endsWith('-process')), r.anomalyTypes.join());
    assert.deepEqual(r.versionOrder, ['reads', 'wfr', 'process', 'process-reads']);
    assert.match(r.anomalies.map((a) => a.explanation).join('\n'), /the model orders each process's transactions, so 1 precedes 2; T1 read 1 ⇒ T1 process→ T3/);
  });
});
