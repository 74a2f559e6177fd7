// Generated single-register histories at scale (issue 18), part of `npm run bench:check`:
// each row checked in a fresh child process (so peak RSS is the row's own), with the
// budget the issue sets for it. `--baseline DIR` also runs the checker built in DIR (a
// `dist` of another checkout) on the same rows, for ratios measured in the same run.
// `--only TEXT` keeps the rows whose name contains TEXT.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { baselineDist, crashed, importFrom, runChild, thisDist } from './baseline.js';
import type { LinearizabilityOptions, checkLinearizability as Check } from '../src/checker/linearizability/check.js';
import { pairHistory } from '../src/history/operation.js';
import { generateRegister, type Shape } from './register-shapes.js';

interface Row extends Shape {
  /** Seconds and MiB the issue allows; the search gets these as its budget. */
  seconds: number;
  mib: number;
  /** What Porcupine does on it (issue 18's measurements, 4 GiB machine). */
  porcupine: string;
  /** Default register. */
  model?: 'register' | 'cas-register';
}

export const ROWS: Row[] = [
  { name: '10k ops, 20 proc, 1% info, valid', ops: 10_000, processes: 20, seconds: 10, mib: 1024, porcupine: 'out of memory (4 GiB)' },
  { name: '10k ops, 5 proc, 1% info, stale read late', ops: 10_000, processes: 5, staleAt: 0.9, seconds: 10, mib: 1024, porcupine: 'out of memory' },
  { name: '1k ops, 50 proc, 1% info, stale read', ops: 1_000, processes: 50, staleAt: 0.5, seconds: 10, mib: 1024, porcupine: 'out of memory' },
  { name: '1M ops, 5 proc, 1% info, valid', ops: 1_000_000, processes: 5, seconds: 10, mib: 1024, porcupine: 'out of memory' },
  { name: '10k ops, 50 proc, no info, valid', ops: 10_000, processes: 50, info: 0, seconds: 10, mib: 1024, porcupine: 'out of memory (already at 10 proc)' },
  { name: '10k ops, 50 proc, no info, stale read', ops: 10_000, processes: 50, info: 0, staleAt: 0.5, seconds: 10, mib: 1024, porcupine: 'out of memory' },
  { name: '1M ops, 20 proc, no info, valid', ops: 1_000_000, processes: 20, info: 0, seconds: 60, mib: 2048, porcupine: 'out of memory' },
  { name: '1M ops, 10 proc, 1% info, valid', ops: 1_000_000, processes: 10, seconds: 60, mib: 2048, porcupine: 'out of memory' },
  { name: '1M ops, 10 proc, 1% info, stale read late', ops: 1_000_000, processes: 10, staleAt: 0.9, seconds: 60, mib: 2048, porcupine: 'out of memory' },
  // cas-register: a third of the ops cas, every write and cas a distinct new value.
  { name: 'cas 1k ops, 50 proc, 1% info, valid', model: 'cas-register', cas: true, ops: 1_000, processes: 50, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'cas 1k ops, 50 proc, 1% info, stale read', model: 'cas-register', cas: true, ops: 1_000, processes: 50, staleAt: 0.5, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'cas 10k ops, 50 proc, 1% info, valid', model: 'cas-register', cas: true, ops: 10_000, processes: 50, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'cas 10k ops, 50 proc, 1% info, stale read', model: 'cas-register', cas: true, ops: 10_000, processes: 50, staleAt: 0.5, seconds: 10, mib: 1024, porcupine: 'not measured' },
  // Values repeat: writes draw from 1..20000 (~12 % of values written twice in 10k ops, a few concurrently), 1..1000 (each value ~5 times, dozens of
  // reads with two concurrent writes of their value) or 1..5 (the register workload's range).
  { name: 'rep/20000 10k ops, 50 proc, 1% info, valid', values: 20_000, ops: 10_000, processes: 50, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'rep/20000 10k ops, 50 proc, 1% info, stale read', values: 20_000, ops: 10_000, processes: 50, staleAt: 0.5, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'rep/20000 1k ops, 50 proc, 1% info, valid', values: 20_000, ops: 1_000, processes: 50, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'rep/1000 1k ops, 50 proc, 1% info, valid', values: 1000, ops: 1_000, processes: 50, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'rep/1000 10k ops, 50 proc, 1% info, stale read', values: 1000, ops: 10_000, processes: 50, staleAt: 0.5, seconds: 10, mib: 1024, porcupine: 'not measured' },
  { name: 'rep/5 1k ops, 50 proc, 1% info, valid', values: 5, ops: 1_000, processes: 50, seconds: 10, mib: 1024, porcupine: 'not measured' },
];

interface Measured {
  verdict: string;
  seconds: number;
  cpuSeconds: number;
  peakMib: number;
  historyMib: number;
  reason?: string;
  /** History index of the op the search could not linearize, for invalid verdicts. */
  blocked?: number;
}

/** Child: one row, one checker build. */
async function child(row: Row, dist: string): Promise<void> {
  const { checkLinearizability } = await importFrom<{ checkLinearizability: typeof Check }>(dist, 'src/checker/linearizability/check.js');
  const history = pairHistory(generateRegister(row, 42));
  const historyMib = process.memoryUsage().rss / 2 ** 20;
  // The search's tables get what is left of the row's memory once the history is loaded.
  const options: LinearizabilityOptions = { model: row.model ?? 'register', workers: 0, timeLimitMs: row.seconds * 1000, memoryLimitBytes: Math.max(64, row.mib - historyMib) * 2 ** 20 };
  const t = performance.now();
  const u = process.cpuUsage();
  const r = await checkLinearizability(history, options);
  const used = process.cpuUsage(u);
  const out: Measured = {
    verdict: r.verdict,
    seconds: (performance.now() - t) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMib: process.resourceUsage().maxRSS / 1024,
    historyMib,
  };
  if (r.reason !== undefined) out.reason = r.reason;
  const blocked = r.partitions.find((p) => p.explanation !== undefined)?.explanation?.blocked;
  if (blocked !== undefined) out.blocked = blocked.invokeIndex;
  process.stdout.write(JSON.stringify(out));
}

function run(row: number, dist: string): Measured {
  const m = runChild<Measured>(fileURLToPath(import.meta.url), [String(row), dist]);
  return crashed(m) ? { verdict: `crashed (${m.crashed})`, seconds: NaN, cpuSeconds: NaN, peakMib: NaN, historyMib: NaN } : m;
}

function show(m: Measured): string {
  return `${m.verdict.padEnd(8)} ${m.seconds.toFixed(2).padStart(6)} s ${m.cpuSeconds.toFixed(2).padStart(6)} s ${m.peakMib.toFixed(0).padStart(5)} MiB`;
}

export function benchScale(args: readonly string[]): void {
  const here = thisDist(import.meta.url);
  const baseline = baselineDist(args);
  const o = args.indexOf('--only');
  const only = o >= 0 ? args[o + 1]! : '';
  console.log(`\nGenerated single-register histories (issue 18), one child process per row, budget = the row's goal; RSS includes the generated history;`);
  console.log(`CPU ratio = baseline CPU / this build's (CPU time is steadier than wall time on a shared machine); an unknown row's ratio only says how long it ran`);
  console.log(`${'history'.padEnd(44)} ${'budget'.padEnd(12)} | ${'this build: wall, CPU, RSS'.padEnd(33)}${baseline === undefined ? '' : ` | ${'baseline: wall, CPU, RSS'.padEnd(33)} | CPU ratio`} | Porcupine`);
  ROWS.forEach((row, i) => {
    if (!row.name.includes(only)) return;
    const now = run(i, here);
    let line = `${row.name.padEnd(44)} ${`${row.seconds} s ${row.mib} MiB`.padEnd(12)} | ${show(now)}`;
    if (baseline !== undefined) {
      const before = run(i, baseline);
      line += ` | ${show(before)} | ${(before.cpuSeconds / now.cpuSeconds).toFixed(1).padStart(6)}×`;
    }
    line += ` | ${row.porcupine}`;
    console.log(line);
    if (now.reason !== undefined) console.log(`    this build: ${now.reason}`);
    if (now.blocked !== undefined) console.log(`    this build: blocked op invoked at history index ${now.blocked}`);
  });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(ROWS[Number(argv[1])]!, argv[2]!);
else if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) benchScale(argv);
