import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/errors.js';
import { CONSISTENCY_MODELS, type ConsistencyModel, checkTransactions, forbiddenBy, formatTxnResult, isConsistencyModel } from '../../../src/checker/txn/index.js';
import { concurrent, sequential, txn } from './build.js';

describe('checkTransactions', () => {
  it('answers unknown, with a reason, when the time budget is spent before the search', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]]), txn(1, [['r', 'x', [1]]]));
    const r = checkTransactions(ops, { workload: 'list-append', consistency: 'serializable', timeLimitMs: -1 });
    assert.equal(r.verdict, 'unknown');
    assert.match(r.reason ?? '', /time limit/);
    assert.equal(checkTransactions(ops, { workload: 'list-append', consistency: 'serializable' }).verdict, 'valid');
  });

  it('still says invalid when an anomaly found before the budget ran out decides it', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]], 'fail'), txn(1, [['r', 'x', [1]]]));
    const r = checkTransactions(ops, { workload: 'list-append', consistency: 'serializable', timeLimitMs: -1 });
    assert.equal(r.verdict, 'invalid');
    assert.deepEqual(r.anomalyTypes, ['G1a']);
  });

  it('rejects malformed micro-ops with an InputError naming the event', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]]));
    ops[0]!.output = [['push', 'x', 1]];
    assert.throws(
      () => checkTransactions(ops, { workload: 'list-append', consistency: 'serializable' }),
      (e) => e instanceof InputError && /event 0/.test(e.message) && /"push"/.test(e.message),
    );
  });

  it('ignores operations that are not transactions', () => {
    const ops = sequential(txn(0, [['append', 'x', 1]]));
    ops.push({ ...ops[0]!, id: 1, f: 'read' });
    assert.equal(checkTransactions(ops, { workload: 'list-append', consistency: 'serializable' }).stats.transactions, 1);
  });

  it('keeps explanations for the first few anomalies of a type but counts them all', () => {
    const txns = [];
    for (let i = 0; i < 5; i++) txns.push(txn(i, [['append', `k${i}`, 1]], 'fail'), txn(10 + i, [['r', `k${i}`, [1]]]));
    const r = checkTransactions(sequential(...txns), { workload: 'list-append', consistency: 'serializable', maxReportedPerType: 2 });
    assert.equal(r.anomalyCounts['G1a'], 5);
    assert.equal(r.anomalies.length, 2);
  });

  it('lists its models and validates names', () => {
    assert.ok(CONSISTENCY_MODELS.includes('strict-serializable'));
    assert.ok(isConsistencyModel('snapshot-isolation'));
    assert.ok(!isConsistencyModel('linearizable'));
  });

  it('a stronger model forbids everything a weaker one does (Adya: PL-2 < cursor stability < PL-2+ < SI, repeatable read)', () => {
    const implies: [ConsistencyModel, ConsistencyModel][] = [
      ['read-committed', 'cursor-stability'],
      ['cursor-stability', 'consistent-view'],
      ['cursor-stability', 'repeatable-read'],
      ['consistent-view', 'snapshot-isolation'],
      ['consistent-view', 'repeatable-read'],
      ['snapshot-isolation', 'serializable'],
      ['update-atomic', 'snapshot-isolation'],
      ['serializable', 'strict-serializable'],
    ];
    for (const [weaker, stronger] of implies) {
      for (const a of forbiddenBy(weaker)) assert.ok(forbiddenBy(stronger).has(a), `${stronger} allows ${a}, which ${weaker} forbids`);
    }
    assert.ok(!forbiddenBy('cursor-stability').has('G-single-item'));
    assert.ok(forbiddenBy('consistent-view').has('G-single-item') && !forbiddenBy('consistent-view').has('G2-item'));
  });
});

describe('formatTxnResult', () => {
  it('says the verdict, the anomalies, the models ruled out and why, in words', () => {
    const ops = concurrent(txn(0, [['r', 'x', []], ['append', 'y', 1]]), txn(1, [['r', 'y', []], ['append', 'x', 1]]));
    const text = formatTxnResult(checkTransactions(ops, { workload: 'list-append', consistency: 'serializable' }));
    assert.match(text, /checked for serializable: INVALID/);
    assert.match(text, /anomalies: G2-item ×1/);
    assert.match(text, /rules out: repeatable-read, serializable/);
    assert.match(text, /T1 appended 1 to key x after T0 read key x = \[\] without it ⇒ T0 rw→ T1/);
    const valid = formatTxnResult(checkTransactions(sequential(txn(0, [['append', 'x', 1]])), { workload: 'list-append', consistency: 'serializable' }));
    assert.match(valid, /VALID/);
    assert.match(valid, /no anomalies found/);
  });
});
