// `npm run bench:startup`: the CPU time (user + system) of short CLI commands — `--help` and
// small checks — next to a bare `node -e 0` measured in the same run, and with
// `--baseline DIR` (another checkout's `dist`) the same commands of that build. On a machine
// shared with other jobs wall time is mostly waiting for a core; the CPU a process used is
// what its start-up costs. Each command runs in a fresh process; the runs of all commands are
// interleaved (round after round) so that load drift hits each alike, and the median is
// reported with the range.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineDist, thisDist } from './baseline.js';

/** The small histories the checks read (faultline JSON Lines). */
const HISTORIES: Record<string, string> = {
  'register.jsonl': [
    { process: 0, type: 'invoke', f: 'write', value: 1 },
    { process: 0, type: 'ok', f: 'write', value: 1 },
    { process: 1, type: 'invoke', f: 'read', value: null },
    { process: 1, type: 'ok', f: 'read', value: 1 },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n'),
  'txn.jsonl': [
    { process: 0, type: 'invoke', f: 'txn', value: [['append', 1, 1], ['r', 1, null]] },
    { process: 0, type: 'ok', f: 'txn', value: [['append', 1, 1], ['r', 1, [1]]] },
    { process: 1, type: 'invoke', f: 'txn', value: [['append', 1, 2], ['r', 2, null]] },
    { process: 1, type: 'ok', f: 'txn', value: [['append', 1, 2], ['r', 2, null]] },
    { process: 0, type: 'invoke', f: 'txn', value: [['r', 1, null]] },
    { process: 0, type: 'ok', f: 'txn', value: [['r', 1, [1, 2]]] },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n'),
  'queue.jsonl': [
    { process: 0, type: 'invoke', f: 'enqueue', value: 1 },
    { process: 0, type: 'ok', f: 'enqueue', value: 1 },
    { process: 1, type: 'invoke', f: 'dequeue', value: null },
    { process: 1, type: 'ok', f: 'dequeue', value: 1 },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n'),
};

/**
 * The CLI commands measured (arguments after `faultline`; `{dir}` is the histories' folder)
 * and the exit code each must end with: a build whose check fails early would look fast.
 */
const COMMANDS: readonly { readonly args: readonly string[]; readonly exit: number }[] = [
  { args: ['--help'], exit: 0 },
  { args: ['check', '{dir}/register.jsonl', '--model', 'register'], exit: 0 },
  { args: ['check', '{dir}/txn.jsonl', '--workload', 'list-append'], exit: 0 },
  // No final drain: what stayed in the queue is unknown.
  { args: ['check', '{dir}/queue.jsonl', '--workload', 'queue'], exit: 2 },
];

interface Row {
  readonly label: string;
  readonly argv: readonly string[];
  readonly exit: number;
  readonly ms: number[];
}

/**
 * The CPU a child process used, in ms: bash's `times` prints its children's user and system
 * time from getrusage (millisecond resolution; GNU time and dash's `times` round to 10 ms).
 * The command's exit code does not matter here (a check may well say invalid or unknown).
 */
function childCpuMs(argv: readonly string[]): number {
  const script = '"$@" >/dev/null 2>&1; times';
  const out = execFileSync('bash', ['-c', script, 'bash', ...argv], { encoding: 'utf8' });
  const children = out.trim().split('\n')[1] ?? '';
  const m = [...children.matchAll(/(\d+)m([\d.]+)s/g)];
  if (m.length !== 2) throw new Error(`bench:startup: cannot read bash's times output: ${JSON.stringify(out)}`);
  return m.reduce((sum, x) => sum + (Number(x[1]) * 60 + Number(x[2])) * 1000, 0);
}

function stats(ms: readonly number[]): { median: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

function main(): void {
  const args = process.argv.slice(2);
  const r = args.indexOf('--runs');
  const runs = r >= 0 ? Number(args[r + 1]) : 15;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
  try {
    for (const [name, text] of Object.entries(HISTORIES)) writeFileSync(join(dir, name), `${text}\n`);
    const builds: [string, string][] = [['this', thisDist(import.meta.url)]];
    const base = baselineDist(args);
    if (base !== undefined) builds.push(['baseline', base]);
    const rows: Row[] = [{ label: 'node -e 0', argv: [process.execPath, '-e', '0'], exit: 0, ms: [] }];
    for (const cmd of COMMANDS) {
      for (const [name, dist] of builds) {
        const argv = cmd.args.map((a) => a.replace('{dir}', dir));
        rows.push({ label: `${name}: faultline ${cmd.args.join(' ').replace('{dir}/', '')}`, argv: [process.execPath, join(dist, '..', 'bin', 'faultline.js'), ...argv], exit: cmd.exit, ms: [] });
      }
    }
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs each, interleaved; CPU = user + system of the process`);
    // One untimed round first, checking each command does its work: the files are then in the page cache for every build alike.
    for (const row of rows) {
      const r = spawnSync(row.argv[0]!, row.argv.slice(1), { encoding: 'utf8' });
      if (r.status !== row.exit) throw new Error(`bench:startup: ${row.label} exited ${r.status}, expected ${row.exit}: ${r.stderr.trim()}`);
    }
    for (let i = 0; i < runs; i++) for (const row of rows) row.ms.push(childCpuMs(row.argv));
    const node = stats(rows[0]!.ms).median;
    console.log(`${'command'.padEnd(64)} ${'median'.padStart(8)} ${'range'.padStart(13)} ${'above node'.padStart(10)}`);
    for (const row of rows) {
      const s = stats(row.ms);
      const above = row === rows[0] ? '' : `+${(s.median - node).toFixed(0)}`;
      console.log(`${row.label.padEnd(64)} ${s.median.toFixed(0).padStart(6)}ms ${`${s.min.toFixed(0)}–${s.max.toFixed(0)}`.padStart(11)}ms ${above.padStart(10)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
