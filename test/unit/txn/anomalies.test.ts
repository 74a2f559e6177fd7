import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { check, concurrent, sequential, txn } from './build.js';
import type { ConsistencyModel } from '../../../src/checker/txn/index.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';

/**
 * Asserts the anomaly types found when every kind of edge is searched (strict-serializable),
 * and the verdict under each listed model.
 */
function expect(ops: ReturnType<typeof sequential>, types: string[], verdicts: Partial<Record<ConsistencyModel, 'valid' | 'invalid'>>): void {
  assert.deepEqual(check(ops, 'strict-serializable').anomalyTypes, [...types].sort());
  for (const [model, verdict] of Object.entries(verdicts)) {
    const r = check(ops, model as ConsistencyModel);
    assert.equal(r.verdict, verdict, `verdict under ${model}: ${JSON.stringify(r.anomalyTypes)}`);
  }
}

describe('list-append anomalies', () => {
  it('G0: two transactions append to two keys in opposite orders', () => {
    const ops = concurrent(
      txn(0, [['append', 'x', 1], ['append', 'y', 1]]),
      txn(1, [['append', 'x', 2], ['append', 'y', 2]]),
      txn(2, [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]]),
    );
    expect(ops, ['G0'], { 'read-uncommitted': 'invalid', serializable: 'invalid' });
    const g0 = check(ops, 'serializable').anomalies.find((a) => a.type === 'G0')!;
    assert.deepEqual(g0.steps!.map((s) => s.kind), ['ww', 'ww']);
  });

  it('G1a: a read sees an append of a failed transaction', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]], 'fail'), txn(1, [['r', 'x', [1]]]));
    expect(ops, ['G1a'], { 'read-uncommitted': 'valid', 'read-committed': 'invalid' });
  });

  it('G1b: a read ends in an append its writer later extended', () => {
    const ops = concurrent(txn(0, [['append', 'x', 1], ['append', 'x', 2]]), txn(1, [['r', 'x', [1]]]));
    const r = check(ops, 'read-committed');
    assert.ok(r.anomalyTypes.includes('G1b'));
    assert.equal(r.verdict, 'invalid');
    assert.equal(check(ops, 'read-uncommitted').verdict, 'valid');
  });

  it('G1c: circular information flow through ww and wr', () => {
    const ops = concurrent(
      txn(0, [['append', 'x', 1], ['r', 'y', [1]]]),
      txn(1, [['append', 'x', 2], ['append', 'y', 1]]),
      txn(2, [['r', 'x', [1, 2]]]),
    );
    expect(ops, ['G1c'], { 'read-uncommitted': 'valid', 'read-committed': 'invalid', serializable: 'invalid' });
  });

  it('G-single: passes read-committed, fails repeatable-read and snapshot isolation', () => {
    // T1 sees T0's append to x but misses its append to y: a read skew.
    const ops = concurrent(
      txn(0, [['append', 'x', 1], ['append', 'y', 1]]),
      txn(1, [['r', 'x', [1]], ['r', 'y', []]]),
    );
    expect(ops, ['G-single-item'], {
      'read-committed': 'valid',
      'repeatable-read': 'invalid',
      'snapshot-isolation': 'invalid',
      serializable: 'invalid',
    });
    const a = check(ops, 'serializable').anomalies[0]!;
    assert.match(a.explanation, /T0 appended 1 to key y after T1 read key y = \[\] without it ⇒ T1 rw→ T0/);
    assert.match(a.explanation, /T1 read key x = \[1\], which includes 1 appended by T0 ⇒ T0 wr→ T1/);
  });

  it('G2-item (write skew): passes snapshot isolation, fails repeatable-read and serializable', () => {
    const ops = concurrent(txn(0, [['r', 'x', []], ['append', 'y', 1]]), txn(1, [['r', 'y', []], ['append', 'x', 1]]));
    expect(ops, ['G2-item'], { 'snapshot-isolation': 'valid', 'repeatable-read': 'invalid', serializable: 'invalid' });
  });

  it('G-nonadjacent: two rw edges separated by wr edges; snapshot isolation forbids it', () => {
    // T0 rw→ T1 wr→ T2 rw→ T3 wr→ T0.
    const ops = concurrent(
      txn(0, [['r', 'a', []], ['r', 'd', [1]]]),
      txn(1, [['append', 'a', 1], ['append', 'b', 1]]),
      txn(2, [['r', 'b', [1]], ['r', 'c', []]]),
      txn(3, [['append', 'c', 1], ['append', 'd', 1]]),
    );
    expect(ops, ['G-nonadjacent-item'], { 'read-committed': 'valid', 'snapshot-isolation': 'invalid', serializable: 'invalid' });
  });

  it('internal: a read disagrees with the transaction\'s own append', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]]), txn(1, [['append', 'x', 2], ['r', 'x', [1]]]));
    expect(ops, ['internal'], { 'repeatable-read': 'valid', 'snapshot-isolation': 'invalid', serializable: 'invalid' });
  });

  it('lost-update: two read-modify-writes of the same version', () => {
    const ops = concurrent(txn(0, [['r', 'x', []], ['append', 'x', 1]]), txn(1, [['r', 'x', []], ['append', 'x', 2]]));
    const r = check(ops, 'serializable');
    assert.ok(r.anomalyTypes.includes('lost-update'));
    assert.ok(r.anomalyTypes.includes('G2-item'));
    assert.equal(check(ops, 'read-committed').verdict, 'valid');
    assert.equal(check(ops, 'snapshot-isolation').verdict, 'invalid');
  });

  it('dirty-update: a committed append on top of a failed one', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]], 'fail'), txn(1, [['append', 'x', 2]]), txn(2, [['r', 'x', [1, 2]]]));
    expect(ops, ['G1a', 'dirty-update'], { 'read-committed': 'invalid' });
  });

  it('duplicate-elements, garbage-read and future-read', () => {
    expect(sequential(txn(0, [['append', 'x', 1]]), txn(1, [['r', 'x', [1, 1]]])), ['duplicate-elements'], { 'read-uncommitted': 'invalid' });
    expect(sequential(txn(0, [['append', 'x', 1]]), txn(1, [['r', 'x', [1, 9]]])), ['garbage-read'], { 'read-uncommitted': 'invalid' });
    expect(sequential(txn(0, [['r', 'x', [1]], ['append', 'x', 1]])), ['future-read'], { 'read-uncommitted': 'valid', 'read-committed': 'invalid' });
  });

  it('incompatible-order: two reads that are not prefixes of one another', () => {
    const ops = concurrent(
      txn(0, [['append', 'x', 1]]),
      txn(1, [['append', 'x', 2]]),
      txn(2, [['r', 'x', [1, 2]]]),
      txn(3, [['r', 'x', [2, 1]]]),
    );
    const r = check(ops, 'read-committed');
    assert.ok(r.anomalyTypes.includes('incompatible-order'));
    assert.equal(r.verdict, 'invalid');
  });

  it('-realtime: a stale read after the append completed passes serializable, fails strict-serializable', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]]), txn(1, [['append', 'x', 2]]), txn(2, [['r', 'x', [1]]]));
    expect(ops, ['G-single-item-realtime'], { serializable: 'valid', 'strict-serializable': 'invalid' });
    const a = check(ops, 'strict-serializable').anomalies[0]!;
    assert.deepEqual(new Set(a.steps!.map((s) => s.kind)), new Set(['rw', 'realtime']));
  });

  it('-process: a process that does not see its own earlier write passes serializable, fails strong-session-serializable', () => {
    // Process 0 appends, then its next transaction reads the key empty.
    const own = sequential(txn(0, [['append', 'x', 1]]), txn(0, [['r', 'x', []]]));
    expect(own, ['G-single-item-process'], {
      serializable: 'valid',
      'strong-session-serializable': 'invalid',
      'strict-serializable': 'invalid',
    });
    // The same stale read on another process breaks only real-time order.
    const other = sequential(txn(0, [['append', 'x', 1]]), txn(1, [['r', 'x', []]]));
    expect(other, ['G-single-item-realtime'], { 'strong-session-serializable': 'valid', 'strict-serializable': 'invalid' });
  });
});

describe('indeterminate and failed transactions', () => {
  it('an info append that a read saw is a real dependency; one nobody saw creates no obligation', () => {
    const seen = concurrent(txn(0, [['append', 'x', 1]], 'info'), txn(1, [['r', 'x', [1]]]));
    expect(seen, [], { 'strict-serializable': 'valid' });
    const unseen = sequential(txn(0, [['append', 'x', 1]], 'info'), txn(1, [['r', 'x', []]]));
    expect(unseen, [], { 'strict-serializable': 'valid' });
  });

  it('a failed append nobody read is harmless; a committed one a later read missed is not', () => {
    expect(sequential(txn(0, [['append', 'x', 1]], 'fail'), txn(1, [['r', 'x', []]])), [], { 'strict-serializable': 'valid' });
    expect(sequential(txn(0, [['append', 'x', 1]]), txn(1, [['r', 'x', []]])), ['G-single-item-realtime'], {
      serializable: 'valid',
      'strict-serializable': 'invalid',
    });
  });
});

describe('rw-register anomalies', () => {
  const rw = (ops: ReturnType<typeof sequential>, model: ConsistencyModel) => check(ops, model, 'rw-register');

  it('valid sequential history', () => {
    const ops = sequential(txn(0, [['w', 'x', 1]]), txn(1, [['r', 'x', 1], ['w', 'x', 2]]), txn(2, [['r', 'x', 2]]));
    const r = rw(ops, 'strict-serializable');
    assert.deepEqual(r.anomalyTypes, []);
    assert.equal(r.verdict, 'valid');
  });

  it('G1a, G1b and internal', () => {
    assert.deepEqual(rw(sequential(txn(0, [['w', 'x', 1]], 'fail'), txn(1, [['r', 'x', 1]])), 'read-committed').anomalyTypes, ['G1a']);
    assert.deepEqual(rw(concurrent(txn(0, [['w', 'x', 1], ['w', 'x', 2]]), txn(1, [['r', 'x', 1]])), 'read-committed').anomalyTypes, ['G1b']);
    assert.deepEqual(rw(sequential(txn(0, [['w', 'x', 1], ['r', 'x', 3]])), 'serializable').anomalyTypes, ['internal']);
  });

  it('lost-update and write skew', () => {
    const lost = rw(concurrent(txn(0, [['r', 'x', null], ['w', 'x', 1]]), txn(1, [['r', 'x', null], ['w', 'x', 2]])), 'serializable');
    assert.ok(lost.anomalyTypes.includes('lost-update'));
    assert.equal(lost.verdict, 'invalid');
    const skew = concurrent(txn(0, [['r', 'x', null], ['w', 'y', 1]]), txn(1, [['r', 'y', null], ['w', 'x', 1]]));
    assert.deepEqual(rw(skew, 'serializable').anomalyTypes, ['G2-item']);
    assert.equal(rw(skew, 'snapshot-isolation').verdict, 'valid');
  });

  it('G-single: a read of the initial state after seeing a later write of the same transaction', () => {
    const ops = concurrent(txn(0, [['w', 'x', 1], ['w', 'y', 1]]), txn(1, [['r', 'x', 1], ['r', 'y', null]]));
    const r = rw(ops, 'snapshot-isolation');
    assert.deepEqual(r.anomalyTypes, ['G-single-item']);
    assert.equal(r.verdict, 'invalid');
    assert.equal(rw(ops, 'read-committed').verdict, 'valid');
  });

  it('real time orders writes under strict-serializable: a read of an overwritten value is stale', () => {
    // T1's write of 2 was invoked after T0's write of 1 completed, so 2 is the later version;
    // T2, invoked after both, still reads 1.
    const ops = sequential(txn(0, [['w', 'x', 1]]), txn(1, [['w', 'x', 2]]), txn(2, [['r', 'x', 1]]));
    const strict = rw(ops, 'strict-serializable');
    assert.equal(strict.verdict, 'invalid');
    assert.ok(strict.anomalyTypes.every((t) => t.endsWith('-realtime')), strict.anomalyTypes.join());
    // T1's write completed before T2's read of 1 began, so (real-time reads) 2 precedes 1 as well.
    assert.match(strict.anomalies[0]!.explanation, /T1 saw 2 on key x and completed before T2 saw 1 there was invoked; the model orders transactions by real time, so 2 precedes 1/);
    // Snapshots that follow real time (strong SI) must see T1's write too.
    assert.deepEqual(strict.notModels, ['strong-snapshot-isolation', 'strict-serializable']);
    // Without real time nothing orders the two writes: 2 may have come first.
    assert.equal(rw(ops, 'serializable').verdict, 'valid');
    assert.equal(rw(ops, 'strong-session-serializable').verdict, 'valid');
  });

  it('a write skew through a version order real time implies is G2, which strong snapshot isolation allows', () => {
    // T0 wrote k = 1 and completed; then T1 (read k = 1, wrote j) and T2 (read j = nil, wrote
    // k = 2) ran concurrently. Real time puts T0's 1 before T2's 2, so T1 rw→ T2, and T2 rw→ T1:
    // two anti-dependencies, a write skew, not a G-single.
    const events: [number, 'invoke' | 'ok', unknown][] = [
      [0, 'invoke', [['w', 'k', 1]]],
      [0, 'ok', [['w', 'k', 1]]],
      [1, 'invoke', [['r', 'k', null], ['w', 'j', 1]]],
      [2, 'invoke', [['r', 'j', null], ['w', 'k', 2]]],
      [1, 'ok', [['r', 'k', 1], ['w', 'j', 1]]],
      [2, 'ok', [['r', 'j', null], ['w', 'k', 2]]],
    ];
    const ops = pairHistory(events.map(([process, type, value], index) => ({ process, type, f: 'txn', value, index, time: index }) as HistoryEvent)).ops;
    const strict = rw(ops, 'strict-serializable');
    assert.deepEqual(strict.anomalyTypes, ['G2-item-realtime'], strict.anomalies.map((a) => a.explanation).join('\n'));
    assert.deepEqual(strict.notModels, ['strict-serializable']);
    // Strong SI infers no versions from real time; the open order of k is decided by the exact
    // snapshot-isolation search instead: T1 and T2 each took their snapshot after T0 committed
    // and before the other committed — a write skew, which (strong) SI allows.
    const si = rw(ops, 'strong-snapshot-isolation');
    assert.equal(si.verdict, 'valid', si.anomalies.map((a) => a.explanation).join('\n'));
    assert.deepEqual(si.versionOrder, ['reads', 'wfr', 'polygraph']);
  });

  it('process order orders a process\'s writes under strong-session-serializable', () => {
    // Process 0 wrote 1, then 2, then read 1 back: its own later write is lost to it.
    const ops = sequential(txn(0, [['w', 'x', 1]]), txn(0, [['w', 'x', 2]]), txn(0, [['r', 'x', 1]]));
    const r = rw(ops, 'strong-session-serializable');
    assert.equal(r.verdict, 'invalid');
    assert.ok(r.anomalyTypes.every((t) => t.endsWith('-process')), r.anomalyTypes.join());
    // The read of 1 after the process's own write of 2 puts 2 before 1: a cycle with process order.
    assert.match(r.anomalies[0]!.explanation, /T1 saw 2 on key x and ran on process 0 before T2 saw 1 there was invoked; the model orders each process's transactions, so 2 precedes 1; T1 wrote 2 ⇒ T1 process→ T0/);
    assert.deepEqual(r.versionOrder, ['reads', 'wfr', 'process', 'process-reads']);
    assert.equal(rw(ops, 'serializable').verdict, 'valid');
  });
});

describe('rw-register: version order the user asserts', () => {
  const rw = (o: ReturnType<typeof sequential>, model: ConsistencyModel) => check(o, model, 'rw-register');
  // T0 writes x=1 and completes; T1, invoked after, writes x=2 and z=1; T2 reads x=1 and z=1.
  // Serializable alone allows x's order 2 < 1 (T1, T0, T2), so it is valid; given that the
  // key is linearizable, 1 < 2, and T2 both saw T1 (z) and missed its overwrite (x): G-single.
  const ops = sequential(txn(0, [['w', 'x', 1]]), txn(1, [['w', 'x', 2], ['w', 'z', 1]]), txn(2, [['r', 'x', 1], ['r', 'z', 1]]));

  it('--linearizable-keys orders a key\'s writes by real time as version order, at any model', () => {
    assert.equal(rw(ops, 'serializable').verdict, 'valid');
    const linear = check(ops, 'serializable', 'rw-register', { linearizableKeys: true });
    assert.equal(linear.verdict, 'invalid');
    // The read of 1 after 2 completed also orders 2 before 1 against 1 before 2: a ww cycle.
    assert.deepEqual(linear.anomalyTypes, ['G-single-item', 'G0']);
    assert.deepEqual(linear.versionOrder, ['reads', 'wfr', 'linearizable-keys', 'linearizable-reads']);
    // That ww cycle (G0) is forbidden even at read-committed once the key is asserted linearizable.
    assert.equal(check(ops, 'read-committed', 'rw-register', { linearizableKeys: true }).verdict, 'invalid');
  });

  it('--sequential-keys does the same for one process\'s writes', () => {
    const sameProcess = ops.map((o) => (o.id === 1 ? { ...o, process: 0 } : o));
    assert.equal(check(sameProcess, 'serializable', 'rw-register', { sequentialKeys: true }).verdict, 'invalid');
    assert.equal(check(ops, 'serializable', 'rw-register', { sequentialKeys: true }).verdict, 'valid');
  });
});
