// `npm run bench:info`: single-register histories with realistic concurrency and 1 % info
// operations (client timeouts), the everyday case of a real run, checked with info writes
// resolved (info-ops.ts) and, as the baseline in the same run, without. Each row: verdict,
// time, peak heap. Generated from a seed, so every run checks the same histories.
import { checkLinearizability } from '../src/checker/linearizability/check.js';
import { pairHistory } from '../src/history/operation.js';
import { generateRegister as generate, type Shape } from './register-shapes.js';

const SHAPES: Shape[] = [
  { name: '10k ops, 20 processes, valid', ops: 10_000, processes: 20 },
  { name: '10k ops, 5 processes, stale read late', ops: 10_000, processes: 5, staleAt: 0.9 },
  { name: '1k ops, 50 processes, stale read', ops: 1_000, processes: 50, staleAt: 0.5 },
  { name: '200k ops, 5 processes, valid', ops: 200_000, processes: 5 },
];

process.stdout.write('history                                   | resolved: verdict  time   heap | baseline: verdict  time   heap\n');
for (const shape of SHAPES) {
  const history = pairHistory(generate(shape, 42));
  const row: string[] = [];
  for (const resolveInfo of [true, false]) {
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const r = await checkLinearizability(history, { model: 'register', workers: 0, timeLimitMs: 20_000, memoryLimitBytes: 2 ** 30, resolveInfo });
    const ms = performance.now() - t0;
    const mib = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    row.push(`${r.verdict.padEnd(8)} ${(ms / 1000).toFixed(2).padStart(6)} s ${mib.toFixed(0).padStart(5)} MiB${resolveInfo ? ` (${r.stats.infoDropped} dropped, ${r.stats.infoBounded} bounded)` : ''}`);
  }
  process.stdout.write(`${shape.name.padEnd(41)} | ${row[0]} | ${row[1]}\n`);
}
