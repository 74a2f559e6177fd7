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
    const ops = history([
      [0, 'invoke', [['w', 'x', 1]]],
      [0, 'ok', [['w', 'x', 1]]],
      [1, 'invoke', [['r', 'x', null]]],
      [1, 'ok', [['r', 'x', null]]],
    ]);
    const r = check(ops, 'serializable', 'rw-register', { linearizableKeys: true });
    assert.ok(r.anomalyTypes.includes('incompatible-order'), r.anomalyTypes.join());
  });

  it('pairs only strictly ordered, different versions, and never an info transaction first', () => {
    const pairs = observedPairs([
      { txn: 0, elem: 0, write: false, call: 0, ret: 1 },
      { txn: 1, elem: 0, write: false, call: 2, ret: 3 },
      { txn: 2, elem: 1, write: false, call: 4, ret: 5 },
      { txn: 3, elem: 2, write: false, call: 0, ret: Infinity },
    ]);
    assert.deepEqual(pairs.map((p) => [p.first.txn, p.second.txn]), [[1, 2]]);
  });
});
