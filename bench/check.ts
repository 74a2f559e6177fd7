// `npm run bench:check`: the linearizability checker on the shared Porcupine histories
// (median of 7 runs, 5 for the slow ones, after 2 warm-up runs; parsing excluded) next to
// Porcupine's figures (median of 7) measured on this kind of machine, then a generated
// 1,000,000-operation register history, checked once, cold; then generated register
// histories with client timeouts (1 % info), each checked once, cold, with info ops
// settled and without (the baseline). `node dist/bench/check.js generated` runs only those.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkLinearizability, type LinearizabilityOptions } from '../src/checker/linearizability/check.js';
import type { Json } from '../src/history/event.js';
import { type Operation, type PairedHistory, pairHistory } from '../src/history/operation.js';
import { readHistoryFile } from '../src/history/read.js';
import { packageRoot } from '../src/version.js';
import { generateRegisterHistory as generateTimeoutHistory, type RegisterHistoryOptions } from './register-history.js';
import { benchScale } from './check-scale.js';
import { benchPerKey } from './check-per-key.js';

const dir = join(packageRoot, '..', 'shared', 'histories', 'porcupine');

/** Porcupine (Go) on the same files, from ../shared/histories/porcupine/README.md. */
const PORCUPINE_MS = {
  etcd: 373,
  'kv c50-ok (per key)': 131,
  'kv c50-bad (per key)': 26,
  'kv c10-ok (one partition)': 1700,
  'kv c10-bad (one partition)': 2000,
} as const;
type Group = keyof typeof PORCUPINE_MS;

interface Case {
  group: Group;
  file: string;
  history: PairedHistory;
  options: LinearizabilityOptions;
  expected: string;
}

async function loadCases(): Promise<Case[]> {
  const expected = new Map(
    readFileSync(join(dir, 'EXPECTED.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t') as [string, string]),
  );
  const cases: Case[] = [];
  for (const name of readdirSync(join(dir, 'jepsen')).sort()) {
    const file = `jepsen/${name}`;
    const want = expected.get(file) ?? '?';
    const history = pairHistory(await readHistoryFile(join(dir, file)));
    cases.push({ group: 'etcd', file, history, options: { model: 'cas-register' }, expected: want.startsWith('empty') ? 'valid' : want });
  }
  const kv: [Group, string, boolean][] = [
    ['kv c50-ok (per key)', 'kv/c50-ok.txt', true],
    ['kv c50-bad (per key)', 'kv/c50-bad.txt', true],
    ['kv c10-ok (one partition)', 'kv/c10-ok.txt', false],
    ['kv c10-bad (one partition)', 'kv/c10-bad.txt', false],
  ];
  for (const [group, file, partition] of kv) {
    const history = pairHistory(await readHistoryFile(join(dir, file)));
    cases.push({ group, file, history, options: { model: 'kv', partition }, expected: expected.get(file)! });
  }
  return cases;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Untimed runs first: the JIT compiles the hot paths (Go, the reference, has no warm-up). */
const WARM_UP = 2;

interface Timing {
  /** Median wall-clock milliseconds. */
  ms: number;
  /** Median CPU milliseconds of this process (user + system): steadier on a shared machine. */
  cpuMs: number;
  verdict: string;
}

async function timeCase(c: Case, runs: number): Promise<Timing> {
  for (let i = 0; i < WARM_UP; i++) await checkLinearizability(c.history, c.options);
  const wall: number[] = [];
  const cpu: number[] = [];
  let verdict = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const u = process.cpuUsage();
    const result = await checkLinearizability(c.history, c.options);
    const used = process.cpuUsage(u);
    wall.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
    verdict = result.verdict;
  }
  return { ms: median(wall), cpuMs: median(cpu), verdict };
}

async function benchShared(): Promise<void> {
  const cases = await loadCases();
  const totals = new Map<Group, { ms: number; cpuMs: number }>();
  let wrong = 0;
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`load average ${load} on ${availableParallelism()} cores (Porcupine's figures are from an idle machine)\n`);
  console.log('file                               verdict     wall ms    cpu ms');
  for (const c of cases) {
    const runs = c.group.includes('c10') ? 5 : 7;
    const { ms, cpuMs, verdict } = await timeCase(c, runs);
    const total = totals.get(c.group) ?? { ms: 0, cpuMs: 0 };
    totals.set(c.group, { ms: total.ms + ms, cpuMs: total.cpuMs + cpuMs });
    const flag = verdict === c.expected ? '' : `   WRONG (expected ${c.expected})`;
    if (flag !== '') wrong++;
    console.log(`${c.file.padEnd(34)} ${verdict.padEnd(9)} ${ms.toFixed(2).padStart(9)} ${cpuMs.toFixed(2).padStart(9)}${flag}`);
  }
  console.log('\ngroup                          wall ms   cpu ms  Porcupine ms  wall/Porcupine  cpu/Porcupine');
  for (const [group, { ms, cpuMs }] of totals) {
    const ref = PORCUPINE_MS[group];
    console.log(
      `${group.padEnd(30)} ${ms.toFixed(1).padStart(8)} ${cpuMs.toFixed(1).padStart(8)} ${String(ref).padStart(13)} ${(ms / ref).toFixed(2).padStart(15)} ${(cpuMs / ref).toFixed(2).padStart(14)}`,
    );
  }
  if (wrong > 0) console.log(`\n${wrong} WRONG VERDICTS`);
}

/**
 * A linearizable cas-register history: ten processes, each op taking effect at a random
 * point of its interval; a cas that finds another value fails, and one op in a thousand
 * times out after taking effect (info; the process continues under a fresh id).
 */
function generateRegisterHistory(ops: number, processes: number, seed: number): PairedHistory {
  let x = seed >>> 0 || 1;
  const rand = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  interface Open {
    op: Operation;
    applied: boolean;
  }
  const result: Operation[] = [];
  const open: (Open | undefined)[] = new Array(processes).fill(undefined);
  const ids = Array.from({ length: processes }, (_, i) => i);
  let nextId = processes;
  let value: Json = null;
  let time = 0;
  let done = 0;
  const apply = (op: Operation): boolean => {
    if (op.f === 'write') value = op.input;
    else if (op.f === 'read') op.output = value;
    else {
      const [from, to] = op.input as [Json, Json];
      if (value !== from) return false;
      value = to;
    }
    return true;
  };
  while (done < ops || open.some((o) => o !== undefined)) {
    const p = rand(processes);
    time++;
    const slot = open[p];
    if (slot === undefined) {
      if (result.length >= ops) continue;
      const kind = rand(10);
      const f = kind < 5 ? 'read' : kind < 8 ? 'write' : 'cas';
      const input: Json = f === 'read' ? null : f === 'write' ? rand(5) : [rand(5), rand(5)];
      const op: Operation = { id: result.length, process: ids[p]!, f, type: 'info', input, output: null, call: time, ret: Infinity, invokeIndex: 0, completeIndex: -1 };
      result.push(op);
      open[p] = { op, applied: false };
      continue;
    }
    // Take effect now (a random point inside the interval), or complete if already done.
    if (!slot.applied && rand(2) === 0) {
      slot.applied = true;
      if (!apply(slot.op)) slot.op.type = 'fail';
      continue;
    }
    if (!slot.applied) {
      slot.applied = true;
      if (!apply(slot.op)) slot.op.type = 'fail';
    }
    const op = slot.op;
    op.ret = time;
    if (op.type !== 'fail') op.type = rand(1000) === 0 ? 'info' : 'ok';
    if (op.type === 'info') {
      op.output = null;
      ids[p] = nextId++;
    } else if (op.f !== 'read') {
      op.output = op.input;
    }
    open[p] = undefined;
    done++;
  }
  return { ops: result, nemesis: [] };
}

const MILLION = 1_000_000;

/** Runs in a worker thread so the main thread can sample memory while the search runs. */
async function millionInWorker(): Promise<void> {
  const history = generateRegisterHistory(MILLION, 10, 42);
  parentPort!.postMessage({ generated: true });
  const t = performance.now();
  const u = process.cpuUsage();
  const result = await checkLinearizability(history, { model: 'cas-register' });
  const ms = performance.now() - t;
  const used = process.cpuUsage(u);
  const cpuMs = (used.user + used.system) / 1000;
  parentPort!.postMessage({ ms, cpuMs, verdict: result.verdict, reason: result.reason, heapUsed: process.memoryUsage().heapUsed, stats: result.stats });
}

async function benchMillion(): Promise<void> {
  console.log(`\n${MILLION.toLocaleString('en')}-operation cas-register history, 10 processes (generated, linearizable)`);
  const worker = new Worker(new URL(import.meta.url), { workerData: 'million', resourceLimits: { maxOldGenerationSizeMb: 4096 } });
  let peakRss = 0;
  let checking = false;
  const sampler = setInterval(() => {
    if (checking) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const baseline = process.memoryUsage().rss;
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (msg: { generated?: true; ms?: number; cpuMs?: number; verdict?: string; reason?: string; heapUsed?: number; stats?: unknown }) => {
      if (msg.generated === true) {
        checking = true;
        return;
      }
      clearInterval(sampler);
      const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
      console.log(`verdict ${msg.verdict}${msg.reason === undefined ? '' : ` (${msg.reason})`}`);
      console.log(`time ${(msg.ms! / 1000).toFixed(2)} s wall, ${(msg.cpuMs! / 1000).toFixed(2)} s CPU (goal < 60 s)`);
      console.log(`peak RSS ${mib(peakRss)} (process before: ${mib(baseline)}; goal < 2048 MiB); worker heap used at the end ${mib(msg.heapUsed!)}`);
      console.log(`stats ${JSON.stringify(msg.stats)}`);
      void worker.terminate().then(() => resolve());
    });
    worker.on('error', reject);
  });
}

/** Register histories with client timeouts: info ops settled (info-ops.ts) or not. */
const INFO_ROWS: readonly { name: string; history: RegisterHistoryOptions }[] = [
  { name: '10k ops, 20 processes, valid', history: { ops: 10_000, processes: 20, infoRate: 0.01, seed: 7 } },
  { name: '10k ops, 5 processes, stale read at 90 %', history: { ops: 10_000, processes: 5, infoRate: 0.01, seed: 7, staleReadAt: 0.9 } },
  { name: '1M ops, 5 processes, valid', history: { ops: MILLION, processes: 5, infoRate: 0.01, seed: 7 } },
  { name: '1M ops, 5 processes, stale read at 90 %', history: { ops: MILLION, processes: 5, infoRate: 0.01, seed: 7, staleReadAt: 0.9 } },
];
/** Each check's time limit: the baseline may never finish. */
const INFO_TIME_LIMIT_MS = 60_000;

interface InfoJob {
  row: number;
  resolveInfo: boolean;
}

interface InfoReport {
  ms: number;
  cpuMs: number;
  verdict: string;
  reason?: string;
  dropped: number;
  bounded: number;
  nodes: number;
}

async function infoInWorker(job: InfoJob): Promise<void> {
  const history = generateTimeoutHistory(INFO_ROWS[job.row]!.history);
  parentPort!.postMessage({ generated: true });
  const t = performance.now();
  const u = process.cpuUsage();
  const result = await checkLinearizability(history, { model: 'register', resolveInfo: job.resolveInfo, timeLimitMs: INFO_TIME_LIMIT_MS, workers: 0 });
  const used = process.cpuUsage(u);
  const report: InfoReport = {
    ms: performance.now() - t,
    cpuMs: (used.user + used.system) / 1000,
    verdict: result.verdict,
    dropped: result.stats.infoDropped,
    bounded: result.stats.infoBounded,
    nodes: result.stats.nodes,
  };
  if (result.reason !== undefined) report.reason = result.reason;
  parentPort!.postMessage(report);
}

/** Runs one check in a worker thread; this thread samples the process's RSS meanwhile. */
async function runInfoJob(job: InfoJob): Promise<InfoReport & { peakRssMiB: number }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
  let peak = 0;
  let checking = false;
  const sampler = setInterval(() => {
    if (checking) peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    return await new Promise((resolve, reject) => {
      worker.on('message', (msg: { generated: true } | InfoReport) => {
        if ('generated' in msg) {
          checking = true;
          return;
        }
        resolve({ ...msg, peakRssMiB: peak / 2 ** 20 });
      });
      worker.on('error', reject);
    });
  } finally {
    clearInterval(sampler);
    await worker.terminate();
  }
}

async function benchInfo(): Promise<void> {
  console.log(`\nregister histories with 1 % client timeouts (info ops that never complete), generated; time limit ${INFO_TIME_LIMIT_MS / 1000} s`);
  console.log('"settled": unseen info writes dropped, seen ones bounded (info-ops.ts); "baseline": resolveInfo false; RSS is the whole process\'s peak');
  console.log('history                                  mode      verdict                             wall s    cpu s  peak RSS MiB  info dropped/bounded');
  for (let row = 0; row < INFO_ROWS.length; row++) {
    for (const resolveInfo of [true, false]) {
      const r = await runInfoJob({ row, resolveInfo });
      const verdict = r.verdict === 'unknown' && r.reason !== undefined ? `unknown (${r.reason.split(':')[0]})` : r.verdict;
      console.log(
        `${INFO_ROWS[row]!.name.padEnd(40)} ${(resolveInfo ? 'settled' : 'baseline').padEnd(9)} ${verdict.padEnd(32)} ${(r.ms / 1000).toFixed(2).padStart(8)} ${(r.cpuMs / 1000).toFixed(2).padStart(8)} ${r.peakRssMiB.toFixed(0).padStart(13)}  ${r.dropped}/${r.bounded}`,
      );
    }
  }
}

if (!isMainThread && workerData === 'million') {
  await millionInWorker();
} else if (!isMainThread) {
  await infoInWorker(workerData as InfoJob);
} else if (process.argv[2] === 'generated') {
  await benchInfo();
} else {
  await benchShared();
  benchPerKey(process.argv.slice(2));
  await benchMillion();
  await benchInfo();
  // Issue 18's generated rows; `npm run bench:check -- --baseline OTHER/dist` adds ratios.
  benchScale(process.argv.slice(2));
}
