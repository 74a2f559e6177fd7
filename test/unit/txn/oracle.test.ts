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
import type { Json } from '../../../src/history/event.js';
import type { Operation } from '../../../src/history/operation.js';
import { type TxnCheckResult, checkTransactions } from '../../../src/checker/txn/index.js';
import { type OracleOrder, explainable } from './oracle.js';
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

type Mop = [string, number, Json];

/**
 * Whether each key's version order is known to the checker: its committed writers (ok ones,
 * and info ones a committed read saw) can be put in one order in which each next writer is
 * known to follow the one before — it is an ok transaction that first read that writer's
 * final value and then wrote, or that writer completed ok before it was invoked (with
 * `realtime`; with `process`, on the same process).
 */
function versionOrderFixed(ops: readonly Operation[], order: OracleOrder): boolean {
  const mopsOf = (o: Operation): Mop[] => (o.type === 'ok' ? o.output : o.input) as unknown as Mop[];
  const writerOf = new Map<string, Operation>();
  for (const o of ops) if (o.type !== 'fail') for (const [f, k, v] of mopsOf(o)) if (f === 'w') writerOf.set(`${k}/${String(v)}`, o);
  const seen = new Set<Operation>();
  for (const o of ops) if (o.type === 'ok') for (const [f, k, v] of mopsOf(o)) if (f === 'r' && v !== null) seen.add(writerOf.get(`${k}/${String(v)}`)!);
  const finalOf = (o: Operation, k: number): Json | undefined => mopsOf(o).findLast(([f, kk]) => f === 'w' && kk === k)?.[2];
  const keys = new Set(ops.flatMap((o) => mopsOf(o).map(([, k]) => k)));
  for (const k of keys) {
    const W = ops.filter((o) => (o.type === 'ok' || (o.type === 'info' && seen.has(o))) && finalOf(o, k) !== undefined);
    const follows = (b: Operation, a: Operation): boolean => {
      if (order !== 'none' && a.type === 'ok' && a.ret < b.call && (order === 'realtime' || a.process === b.process)) return true;
      if (b.type !== 'ok') return false;
      const first = mopsOf(b).find(([, kk]) => kk === k)!;
      return first[0] === 'r' && first[2] !== null && writerOf.get(`${k}/${String(first[2])}`) === a && finalOf(a, k) === first[2];
    };
    const chain = (last: Operation | undefined, rest: Operation[]): boolean =>
      rest.length === 0 || rest.some((b, i) => (last === undefined || follows(b, last)) && chain(b, rest.filter((_, j) => j !== i)));
    if (!chain(undefined, W)) return false;
  }
  return true;
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
