// `npm run bench:info`: single-register histories with realistic concurrency and 1 % info
// operations (client timeouts), the everyday case of a real run, checked with info writes
// resolved (info-ops.ts) and, as the baseline in the same run, without. Each row: verdict,
// time, peak heap. Generated from a seed, so every run checks the same histories.
import { checkLinearizability } from '../src/checker/linearizability/check.js';
import type { HistoryEvent } from '../src/history/event.js';
import { pairHistory } from '../src/history/operation.js';

interface Shape {
  name: string;
  ops: number;
  processes: number;
  /** Plant one stale read this far into the history (0..1), or none. */
  staleAt?: number;
}

/** A correct register under concurrency: each op takes effect at a random point inside its interval. */
function generate(shape: Shape, seed: number): HistoryEvent[] {
  let x = seed;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  type Op = { p: number; f: 'read' | 'write'; call: number; at: number; ret: number; value: number | null; info: boolean; applied: boolean };
  const ops: Op[] = [];
  const free = new Array<number>(shape.processes).fill(0);
  let written = 0;
  for (let i = 0; i < shape.ops; i++) {
    const p = i % shape.processes;
    const call = free[p]! + Math.floor(rnd() * 3);
    const ret = call + 1 + Math.floor(rnd() * 10 * shape.processes);
    const at = call + rnd() * (ret - call);
    const info = rnd() < 0.01;
    const write = rnd() < 0.5;
    ops.push({ p, f: write ? 'write' : 'read', call, at, ret, value: write ? ++written : null, info, applied: !info || rnd() < 0.5 });
    free[p] = ret + 1;
  }
  // Reads return the value of the last applied write before their point.
  const effects = ops.filter((o) => o.applied).sort((a, b) => a.at - b.at);
  let current: number | null = null;
  for (const o of effects) {
    if (o.f === 'write') current = o.value;
    else o.value = current;
  }
  if (shape.staleAt !== undefined) {
    const reads = ops.filter((o) => o.f === 'read' && !o.info && typeof o.value === 'number' && o.value > 10);
    const r = reads[Math.floor(reads.length * shape.staleAt)]!;
    r.value = (r.value as number) - 5;
  }
  const events: { t: number; e: Omit<HistoryEvent, 'index'> }[] = [];
  let process = shape.processes;
  const pid = new Array<number>(shape.processes).fill(0).map((_, i) => i);
  for (const o of ops) {
    const id = pid[o.p]!;
    events.push({ t: o.call, e: { time: o.call, process: id, type: 'invoke', f: o.f, value: o.f === 'write' ? o.value : null } });
    events.push({ t: o.ret + 0.5, e: { time: o.ret, process: id, type: o.info ? 'info' : 'ok', f: o.f, value: o.value } });
    if (o.info) pid[o.p] = process++;
  }
  events.sort((a, b) => a.t - b.t);
  return events.map((x, index) => ({ index, ...x.e }));
}

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
