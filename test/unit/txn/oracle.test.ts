/**
 * The checker against a brute-force oracle on small random histories, both ways: whatever it
 * calls invalid no serial order explains (no false alarm), and whatever no serial order
 * explains it calls invalid (no miss), at serializable, strong-session-serializable and
 * strict-serializable. For rw-register the version order is not always knowable, so a miss
 * counts only where the reads fix it, with the model's order (real time or process) if any.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Operation } from '../../../src/history/operation.js';
import { type TxnCheckResult, checkTransactions } from '../../../src/checker/txn/index.js';
import { explainable, versionOrderFixed } from './oracle.js';
import { buildHistory, historySpec, showHistory } from './small-history.js';

const RUNS = Number(process.env.FAULTLINE_ORACLE_RUNS ?? 10000);
const MODELS = ['serializable', 'strong-session-serializable', 'strict-serializable'] as const;
const ORDER = { serializable: 'none', 'strong-session-serializable': 'process', 'strict-serializable': 'realtime' } as const;

function describeFailure(ops: Operation[], r: TxnCheckResult, oracle: boolean): string {
  return (
    `checker: ${r.verdict} (${r.anomalyTypes.join(', ') || 'no anomalies'}), oracle: ${oracle ? 'explainable' : 'not explainable'}\n` +
    `${showHistory(ops)}\n${r.anomalies.map((a) => `${a.type}: ${a.explanation}`).join('\n')}`
  );
}

describe('txn checker against a brute-force oracle', () => {
  it('list-append: invalid exactly when no serial order explains the reads', () => {
    const tally = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(historySpec(), (spec) => {
        const ops = buildHistory(spec, 'list-append');
        for (const consistency of MODELS) {
          const r = checkTransactions(ops, { workload: 'list-append', consistency });
          const oracle = explainable(ops, 'list-append', ORDER[consistency]);
          assert.notEqual(r.verdict, 'unknown', describeFailure(ops, r, oracle));
          assert.equal(r.verdict === 'valid', oracle, `${consistency}: ${describeFailure(ops, r, oracle)}`);
          tally[r.verdict === 'valid' ? 'valid' : 'invalid']++;
        }
      }),
      { numRuns: RUNS, includeErrorInReport: true },
    );
    // Both answers must be common, or the property says little.
    assert.ok(tally.valid > RUNS / 5 && tally.invalid > RUNS / 5, JSON.stringify(tally));
  });

  it('rw-register: never a false alarm; no miss where the reads (and the model\'s order) fix the version order', () => {
    const tally = { valid: 0, invalid: 0, missChecked: 0 };
    fc.assert(
      fc.property(historySpec(), (spec) => {
        const ops = buildHistory(spec, 'rw-register');
                for (const consistency of MODELS) {
          const r = checkTransactions(ops, { workload: 'rw-register', consistency });
          const oracle = explainable(ops, 'rw-register', ORDER[consistency]);
          assert.notEqual(r.verdict, 'unknown', describeFailure(ops, r, oracle));
          if (r.verdict === 'invalid') assert.equal(oracle, false, `${consistency}, false alarm: ${describeFailure(ops, r, oracle)}`);
          if (!oracle && versionOrderFixed(ops, ORDER[consistency])) {
            tally.missChecked++;
            assert.equal(r.verdict, 'invalid', `${consistency}, miss: ${describeFailure(ops, r, oracle)}`);
          }
          tally[r.verdict === 'valid' ? 'valid' : 'invalid']++;
        }
      }),
      { numRuns: RUNS, includeErrorInReport: true },
    );
    assert.ok(tally.valid > RUNS / 5 && tally.invalid > RUNS / 5 && tally.missChecked > RUNS / 5, JSON.stringify(tally));
  });
});
