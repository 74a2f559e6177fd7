// Porcupine's per-key kv histories (issue 18's "fixed cost per partition"), part of `npm
// run bench:check`: each file checked split by key, like Porcupine's BenchmarkKv*
// (porcupine_test.go: CheckEvents on the whole file's events, keys partitioned, parsing
// excluded, the b.N loop's wall time per call). So the figures here are per FILE (10 keys),
// from events (pairing included, as CheckEvents matches calls and returns), in a fresh
// child process per file and build: the first check (cold: interpreter, JIT compiling on
// background threads, which process CPU counts) and the median of many after warm-up (the
// steady state, what Go's benchmark loop measures). `--baseline DIR` runs another build's
// `dist` the same way in the same run.
import { execFileSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { checkLinearizability as Check } from '../src/checker/linearizability/check.js';
import type { readHistoryFile as Read } from '../src/history/read.js';
import { packageRoot } from '../src/version.js';

const DIR = join(packageRoot, '..', 'shared', 'histories', 'porcupine', 'kv');
const WARM_UP = 50;
const RUNS = 200;

/**
 * Porcupine (Go 1.19, `go test -bench Kv -count 3`, its head of 2026) per file, measured
 * on this 2-core machine at load average ~10 (so wall time includes waiting for a core;
 * both of Go's cores are used, one goroutine per key); the issue's 0.9 ms for c10-ok was
 * on an idle machine.
 */
const PORCUPINE: Record<string, string> = {
  'c01-ok': '0.25–0.41 ms',
  'c01-bad': '0.14–0.21 ms',
  'c10-ok': '2.3–3.3 ms (idle: 0.9 ms)',
  'c10-bad': '2.3–3.2 ms',
  'c50-ok': '0.96–1.37 s',
  'c50-bad': '110–251 ms',
};

interface Measured {
  verdict: string;
  firstCpuMs: number;
  cpuMs: number;
  wallMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Child: one file, one build. */
async function child(file: string, dist: string): Promise<void> {
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dist, path)).href)) as T;
  const { checkLinearizability } = await load<{ checkLinearizability: typeof Check }>('src/checker/linearizability/check.js');
  const { readHistoryFile } = await load<{ readHistoryFile: typeof Read }>('src/history/read.js');
  const events = await readHistoryFile(join(DIR, `${file}.txt`));
  // Every partition checked in this thread: the figure is the checker's, not a thread's start-up.
  const once = async (): Promise<{ verdict: string; cpu: number; wall: number }> => {
    const t = performance.now();
    const u = process.cpuUsage();
    const r = await checkLinearizability(events, { model: 'kv', workers: 0 });
    const d = process.cpuUsage(u);
    return { verdict: r.verdict, cpu: (d.user + d.system) / 1000, wall: performance.now() - t };
  };
  const first = await once();
  for (let i = 0; i < WARM_UP; i++) await once();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    cpu.push(r.cpu);
    wall.push(r.wall);
  }
  const out: Measured = { verdict: first.verdict, firstCpuMs: first.cpu, cpuMs: median(cpu), wallMs: median(wall) };
  process.stdout.write(JSON.stringify(out));
}

function run(file: string, dist: string): Measured | string {
  try {
    return JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file, dist], { encoding: 'utf8' })) as Measured;
  } catch (e) {
    return `crashed (${(e as Error).message.split('\n')[0]})`;
  }
}

function show(m: Measured | string): string {
  if (typeof m === 'string') return m.padEnd(40);
  return `${m.verdict.padEnd(8)} ${m.firstCpuMs.toFixed(1).padStart(6)} ${m.cpuMs.toFixed(3).padStart(8)} ${m.wallMs.toFixed(3).padStart(8)}`;
}

export function benchPerKey(args: readonly string[]): void {
  const b = args.indexOf('--baseline');
  const baseline = b >= 0 ? resolve(args[b + 1]!) : undefined;
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  console.log(`\nPorcupine's kv histories split by key, per file (10 keys), from events; one child process per file and build;`);
  console.log(`first = the first check's CPU ms (cold); cpu/wall = medians of ${RUNS} checks after ${WARM_UP} warm-up ones (Go's benchmark loop is the steady state)`);
  const head = 'verdict   first   cpu ms  wall ms';
  console.log(`${'file'.padEnd(8)} | this build: ${head}${baseline === undefined ? '' : ` | baseline: ${head} | cpu ratio`} | Porcupine (wall)`);
  for (const file of Object.keys(PORCUPINE)) {
    const now = run(file, here);
    let line = `${file.padEnd(8)} | ${show(now)}`;
    if (baseline !== undefined) {
      const before = run(file, baseline);
      const ratio = typeof now === 'string' || typeof before === 'string' ? '' : `${(before.cpuMs / now.cpuMs).toFixed(2)}×`;
      line += `            | ${show(before)}          | ${ratio.padStart(8)}`;
    }
    console.log(`${line} | ${PORCUPINE[file]}`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv[1]!, argv[2]!);
else if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) benchPerKey(argv);
