/**
 * The rw-register rows of `npm run bench:txn`: generated serial histories (10 processes, 2–4
 * micro-ops, blind writes, 30 active keys retiring after 8 writes), whose write orders the
 * reads mostly leave open, checked with the polygraph search and without it (the previous
 * behaviour, which cannot see anomalies that need an open order).
 */
import { pairHistory } from '../src/history/operation.js';
import { checkTransactions } from '../src/checker/txn/index.js';
import { BENCH_DEFAULTS, seededRandom, serialHistory } from '../test/unit/txn/serial-executor.js';
import type { ConsistencyModel } from '../src/checker/txn/models.js';
import type { Json } from '../src/history/event.js';

const MODELS: ConsistencyModel[] = ['serializable', 'strict-serializable', 'snapshot-isolation', 'strong-snapshot-isolation'];
export const RW_SIZES = [200, 500, 1000];

const RW_OPTIONS = { ...BENCH_DEFAULTS, workload: 'rw-register' as const, activeKeys: 30, appendsPerKey: 8, minMops: 2, maxMops: 4 };

/** Makes a fraction of committed reads return the key's previous value (a stale replica). */
function staleRegisterReads(ops: { type: string; output: Json }[], rate: number, rand: () => number): number {
  let n = 0;
  for (const op of ops) {
    if (op.type !== 'ok' || !Array.isArray(op.output)) continue;
    for (const m of op.output as Json[][]) {
      if (m[0] === 'r' && typeof m[2] === 'number' && m[2] > 1 && rand() < rate) {
        m[2] = m[2] - 1;
        n++;
      }
    }
  }
  return n;
}

export function rwRegisterRows(sizes: number[]): void {
  console.log('\nrw-register, polygraph search for the write orders the reads leave open (time limit 60 s per check)\n');
  console.log('     txns   stale   model                               previous ms  verdict    search ms  verdict    open pairs  branches');
  for (const txns of sizes) {
    for (const stale of [0, 0.02]) {
      const ops = pairHistory(serialHistory({ ...RW_OPTIONS, txns }, seededRandom(42))).ops;
      const changed = stale > 0 ? staleRegisterReads(ops as unknown as { type: string; output: Json }[], stale, seededRandom(7)) : 0;
      for (const model of MODELS) {
        const run = (versionSearch: boolean): { ms: number; r: ReturnType<typeof checkTransactions> } => {
          const start = performance.now();
          const r = checkTransactions(ops, { workload: 'rw-register', consistency: model, versionSearch, timeLimitMs: 60_000 });
          return { ms: performance.now() - start, r };
        };
        const before = run(false);
        const after = run(true);
        const p = after.r.stats.polygraph;
        console.log(
          [
            String(txns).padStart(9),
            String(changed).padStart(7),
            ' ',
            model.padEnd(34),
            before.ms.toFixed(0).padStart(12),
            ' ',
            before.r.verdict.padEnd(8),
            after.ms.toFixed(0).padStart(11),
            ' ',
            after.r.verdict.padEnd(8),
            String(p?.openPairs ?? 0).padStart(11),
            String(p?.branches ?? 0).padStart(9),
          ].join(' '),
        );
      }
    }
  }
  console.log('"stale": committed reads changed to the previous value of their key. "previous": the checker without the search (its verdicts can miss).');
}
