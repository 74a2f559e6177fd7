import type { Command } from 'commander';
import { resultJson } from '../../output/result-json.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UsageError } from '../../errors.js';
import { randomSeed } from '../../generator/random.js';
import { executeTest, type ExecuteResult } from '../../execute/execute.js';
import type { Progress } from '../../runner/stats.js';
import { type TestSpecInput, WORKLOAD_NAMES, parseTestSpec } from '../../spec/test-spec.js';
import { builtinSystemNames, builtinSystems } from '../../systems/index.js';
import { NEMESIS_KINDS } from '../../../nemesis/kinds.js';
import { PARTITION_SHAPES } from '../../../nemesis/partition-shapes.js';
import { TARGET_SPECS } from '../../../nemesis/targets.js';
import { ExitCode, exitCodeForVerdict } from '../../exit-codes.js';
import { progress } from './images.js';
import { writeRunReport } from '../../campaign/outputs.js';
import { type NodeLimitFlags, addNodeLimitOptions, nodeLimitInput } from './node-limits.js';
import { emitGithubAnnotations, outcomeOfError, outcomeOfRun, writeJunit } from '../../output/index.js';
import { exactJsonText } from '../../history/exact-json.js';
import { PROVIDER_NAMES, chosenProvider } from '../../cluster/providers.js';

interface RunFlags extends NodeLimitFlags {
  system?: string;
  workload?: string;
  replay?: string;
  nemesis?: string;
  nemesisInterval: string;
  partition?: string;
  targets: string;
  nodes: string;
  concurrency: string;
  timeLimit: string;
  opTimeout: string;
  opInterval: string;
  opsPerKey: string;
  threadsPerKey: string;
  settle: string;
  seed?: string;
  routing: string;
  readMode?: string;
  consistency?: string;
  lockTtl: string;
  client?: string;
  systemOption?: string[];
  /** The generated `--<system>-<option>` flags, by commander's camel-cased name. */
  [systemFlag: string]: unknown;
  clientPause?: string;
  clockSkew?: string;
  clockScope?: string;
  packetLoss?: string;
  packetDelay?: string;
  packetRate?: string;
  slowFsync?: string;
  slowWrite?: string;
  corruptFile?: string;
  corruptMode?: string;
  corruptFlips?: string;
  store: string;
  minOk: string;
  name?: string;
  leaveRunning?: boolean;
  json?: boolean;
  junit?: string;
  provider?: string;
  hosts?: string;
}

/** Each built-in system's options as flags: `--redis-sentinel`, `--redis-wait <n>`. */
function systemOptionFlags(command: Command): Command {
  for (const system of builtinSystems.values()) {
    for (const o of system.options ?? []) {
      command.option(`--${system.name}-${o.name}${o.type === 'boolean' ? '' : ` <${o.type === 'integer' ? 'n' : 'value'}>`}`, `${system.name}: ${o.summary}`);
    }
  }
  return command;
}

/** `--redis-wait 1` and `--system-option wait=1` → `{wait: 1}`; a flag for another system than the one tested is an error. */
function systemOptionInput(f: RunFlags): Record<string, boolean | number | string> {
  const values: Record<string, boolean | number | string> = {};
  const typed = (flag: string, type: 'boolean' | 'integer' | 'string', raw: unknown): boolean | number | string => {
    if (type === 'boolean') return raw === true || raw === 'true';
    if (type === 'string') return String(raw);
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${String(raw)}"`);
    return n;
  };
  for (const system of builtinSystems.values()) {
    for (const o of system.options ?? []) {
      const flag = `--${system.name}-${o.name}`;
      const raw = f[camel(`${system.name}-${o.name}`)];
      if (raw === undefined) continue;
      if (system.name !== f.system) throw new UsageError(`${flag} applies to ${system.name}, not ${String(f.system)}`);
      values[o.name] = typed(flag, o.type, raw);
    }
  }
  for (const pair of f.systemOption ?? []) {
    const m = /^([\w-]+)=(.*)$/.exec(pair);
    if (m === null) throw new UsageError(`--system-option wants name=value, got "${pair}"`);
    const text = m[2]!;
    values[m[1]!] = text === 'true' ? true : text === 'false' ? false : /^-?\d+$/.test(text) ? Number(text) : text;
  }
  return values;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('start a cluster, run a workload under faults, check the history, tear down')
    .option('-s, --system <name>', `${builtinSystemNames.join('|')}, or a plugin module (./path/to/plugin.js, an npm package faultline-*)`)
    .option('-w, --workload <name>', WORKLOAD_NAMES.join('|'))
    .option('--client <module>', 'a client plugin for the system (defineClient), instead of faultline\'s own')
    .option('--replay <run-dir>', "run again with a previous run's test.json (same spec, same seed); other flags are ignored")
    .option('--nemesis <kinds>', `faults, comma-separated: ${NEMESIS_KINDS.join(',')}, or all (every kind the system can take but the disk faults lose-unfsynced, slow-disk and corrupt-file, which must be named; default: none)`)
    .option('--nemesis-interval <seconds>', 'mean time between fault steps', '5')
    .option('--partition <shapes>', `partition shapes to draw from: ${PARTITION_SHAPES.join(',')} (default: all that fit)`)
    .option('--targets <specs>', `fault targets to draw from: ${TARGET_SPECS.join(',')} (the last three aim at a state: docs/faults.md)`, 'one')
    .option('-n, --nodes <count>', 'cluster size', '3')
    .option('-c, --concurrency <n>', 'client processes', '10')
    .option('-t, --time-limit <seconds>', 'length of the main phase', '60')
    .option('--op-timeout <seconds>', 'an operation running longer completes as info', '5')
    .option('--op-interval <ms>', 'mean gap between operations across all processes (0 = flat out)', '10')
    .option('--ops-per-key <n>', 'register: operations per key', '100')
    .option('--threads-per-key <n>', 'register: processes per key', '2')
    .option('--settle <seconds>', 'pause between healing and the final reads', '5')
    .option('--seed <n>', 'replays the same schedule of operations and faults (default: random)')
    .option('--routing <policy>', 'random | round-robin | weighted:n1=5,n2=1 | leader | sticky', 'random')
    .option('--read-mode <mode>', [...builtinSystems.values()].map((s) => `${s.name} ${s.client.readModes.map((m) => m.name).join('|')}`).join(', '))
    .option('--consistency <model>', 'append: the consistency model to check against (default: what the system documents; see docs/workloads.md)')
    .option('--lock-ttl <seconds>', 'lock lease / session TTL', '10')
    .option('--system-option <name=value>', "an option of the system (a plugin's: see its descriptor); repeatable", (v: string, all: string[] = []) => [...all, v])
    .option('--client-pause <seconds>', 'client-pause: how long a client process stalls (default: 2 × lock TTL)')
    .option('--clock-skew <seconds>', 'clock: how far a node clock is bumped (±) or strobed (default: 60)')
    .option('--clock-scope <scope>', 'clock: process (the database\'s clock: libfaketime / vDSO helper) | host (the machine\'s clock, `date -s`; SSH hosts with kernels of their own) (default: process on Docker, host on SSH)')
    .option('--packet-loss <p>', 'packet: probability a packet the target sends is dropped (default: 0.2 when no packet flag is given)')
    .option('--packet-delay <ms>', 'packet: added delay, needs netem (default: 50 when no packet flag is given)')
    .option('--packet-rate <kbit>', 'packet: bandwidth limit of the target (default: 10000 when no packet flag is given)')
    .option('--slow-fsync <ms>', 'slow-disk: delay added to every fsync/fdatasync (default: 1200)')
    .option('--slow-write <ms>', 'slow-disk: delay added to every write (default: 0)')
    .option('--corrupt-file <names>', 'corrupt-file: which of the files the system declares to damage, comma-separated (etcd wal,snapshot; zookeeper log,snapshot; redis aof,rdb; consul raft; default: all)')
    .option('--corrupt-mode <modes>', 'corrupt-file: bitflip,truncate (default: both)')
    .option('--corrupt-flips <n>', 'corrupt-file: bytes a bitflip damages, one bit each (default: 1)');
  addNodeLimitOptions(systemOptionFlags(command))
    .option('--store <dir>', 'where run directories go', 'store')
    .option('--min-ok <n>', 'a run with fewer successful client operations proves nothing: its verdict is unknown (0: no floor)', '50')
    .option('--name <name>', 'test name (default: <system>-<workload>)')
    .option('--leave-running', 'keep the cluster after the run')
    .option('--provider <name>', `where the nodes come from: ${PROVIDER_NAMES.join('|')}`, 'docker')
    .option('--hosts <file>', 'ssh: the hosts file, a YAML list of {name, address, port?, user, key} (see docs/providers.md)')
    .option('--json', 'print the result on stdout: results.json in the shape of schema/result.schema.json')
    .option('--junit <file>', 'write a JUnit XML file: one test case per checker')
    .action(async (flags: RunFlags) => {
      const spec = flags.replay === undefined ? parseTestSpec(specFromFlags(flags), (path) => flagOf(path, flags.system)) : parseTestSpec(await recordedSpec(flags.replay));
      // Opened (the hosts file read) before any work starts: a bad hosts file costs nothing.
      const provider = await chosenProvider(flags);
      const p = progress();
      const onProgress = progressPrinter((line) => p.line(line));
      process.stderr.write(`faultline run ${spec.name}: seed ${spec.seed}\n`);
      let result: ExecuteResult;
      const t0 = Date.now();
      try {
        result = await executeTest({ spec, log: (l) => p.line(l), onProgress, ...(provider === undefined ? {} : { provider }) });
      } catch (err) {
        p.fail();
        // CI still gets a JUnit error case and an annotation saying why there is no verdict.
        const failed = [outcomeOfError(spec, err, Date.now() - t0)];
        emitGithubAnnotations(failed);
        if (flags.junit !== undefined) await writeJunit(failed, flags.junit).catch(() => undefined);
        throw err;
      }
      const outcomes = [outcomeOfRun(spec, result, Date.now() - t0)];
      emitGithubAnnotations(outcomes);
      if (flags.junit !== undefined) await writeJunit(outcomes, flags.junit);
      p.done(`${spec.name}: ${result.verdict}`);
      // The same report a campaign writes for each of its runs, beside results.json.
      const reportProblem = await writeRunReport(result.runDir);
      const exitCode = result.interrupted ? ExitCode.Interrupted : exitCodeForVerdict(result.verdict);
      if (flags.json === true) {
        const body = result.results !== null && typeof result.results === 'object' && !Array.isArray(result.results) ? result.results : {};
        const core = { verdict: result.verdict, exitCode, runDir: result.runDir, checkers: result.checkers, errors: result.errors };
        process.stdout.write(`${exactJsonText(resultJson('run', core, body), null, 2)}\n`);
      } else {
        process.stdout.write(describeResult(result, reportProblem));
      }
      process.exitCode = exitCode;
    });
}

/** The spec a previous run recorded in its test.json. */
async function recordedSpec(runDir: string): Promise<unknown> {
  const path = join(runDir, 'test.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--replay: cannot read ${path}: ${(err as Error).message}`, 'give a run directory, e.g. store/etcd-register/latest');
  }
  try {
    return (JSON.parse(text) as { spec?: unknown }).spec;
  } catch {
    throw new InputError(path, undefined, 'not JSON', 'give the directory of a run faultline wrote');
  }
}

/** The flag a spec field comes from, so an error speaks the user's language (`--time-limit`, in seconds, not `timeLimitMs`). */
const FLAG_OF: Readonly<Record<string, string>> = {
  system: '--system', workload: '--workload', client: '--client', nemesis: '--nemesis', nemesisIntervalMs: '--nemesis-interval (seconds)',
  partitions: '--partition', targets: '--targets', nodes: '--nodes', concurrency: '--concurrency', timeLimitMs: '--time-limit (seconds)',
  opTimeoutMs: '--op-timeout (seconds)', opIntervalMs: '--op-interval (ms)', opsPerKey: '--ops-per-key', threadsPerKey: '--threads-per-key',
  settleMs: '--settle (seconds)', seed: '--seed', routing: '--routing', readMode: '--read-mode', consistency: '--consistency',
  lockTtlMs: '--lock-ttl (seconds)', clientPauseMs: '--client-pause (seconds)', clockSkewMs: '--clock-skew (seconds)', clockScope: '--clock-scope',
  'slowDisk.fsyncDelayMs': '--slow-fsync (ms)', 'slowDisk.writeDelayMs': '--slow-write (ms)', 'corrupt.files': '--corrupt-file', 'corrupt.modes': '--corrupt-mode',
  'corrupt.flips': '--corrupt-flips', 'packet.loss': '--packet-loss', 'packet.delayMs': '--packet-delay (ms)', 'packet.rateKbit': '--packet-rate (kbit)', store: '--store',
  name: '--name', minOk: '--min-ok', nodeMemoryMiB: '--node-memory', nodeCpus: '--node-cpus', nodePids: '--node-pids',
};

function flagOf(path: string, system: string | undefined): string {
  const direct = FLAG_OF[path] ?? FLAG_OF[path.replace(/\.\d+$/, '')];
  if (direct !== undefined) return direct;
  const option = /^systemOptions\.(.+)$/.exec(path)?.[1];
  return option !== undefined && system !== undefined && builtinSystems.has(system) ? `--${system}-${option}` : path;
}

/** Flags as strings → the spec's input (the schema validates and names bad fields). */
export function specFromFlags(f: RunFlags): TestSpecInput {
  if (f.system === undefined || f.workload === undefined) {
    throw new UsageError('--system and --workload are required (or --replay RUN_DIR)', 'e.g. faultline run --system etcd --workload register');
  }
  const list = (s: string | undefined): string[] | undefined =>
    s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== 'none');
  const num = (flag: string, s: string): number => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${s}"`);
    return n;
  };
  const ms = (flag: string, s: string): number => Math.round(num(flag, s) * 1000);
  const input: Record<string, unknown> = {
    system: f.system,
    workload: f.workload,
    nemesis: list(f.nemesis) ?? [],
    nemesisIntervalMs: ms('--nemesis-interval', f.nemesisInterval),
    targets: list(f.targets),
    nodes: num('--nodes', f.nodes),
    concurrency: num('--concurrency', f.concurrency),
    timeLimitMs: ms('--time-limit', f.timeLimit),
    opTimeoutMs: ms('--op-timeout', f.opTimeout),
    opIntervalMs: num('--op-interval', f.opInterval),
    opsPerKey: num('--ops-per-key', f.opsPerKey),
    threadsPerKey: num('--threads-per-key', f.threadsPerKey),
    settleMs: ms('--settle', f.settle),
    seed: f.seed === undefined ? randomSeed() : num('--seed', f.seed),
    routing: f.routing,
    lockTtlMs: ms('--lock-ttl', f.lockTtl),
    store: f.store,
    minOk: num('--min-ok', f.minOk),
    leaveRunning: f.leaveRunning === true,
  };
  if (f.partition !== undefined) input['partitions'] = list(f.partition);
  const systemOptions = systemOptionInput(f);
  if (Object.keys(systemOptions).length > 0) input['systemOptions'] = systemOptions;
  if (f.client !== undefined) input['client'] = f.client;
  if (f.clientPause !== undefined) input['clientPauseMs'] = ms('--client-pause', f.clientPause);
  if (f.clockSkew !== undefined) input['clockSkewMs'] = ms('--clock-skew', f.clockSkew);
  if (f.clockScope !== undefined) input['clockScope'] = f.clockScope;
  const packet: Record<string, number> = {};
  if (f.packetLoss !== undefined) packet['loss'] = num('--packet-loss', f.packetLoss);
  if (f.packetDelay !== undefined) packet['delayMs'] = num('--packet-delay', f.packetDelay);
  if (f.packetRate !== undefined) packet['rateKbit'] = num('--packet-rate', f.packetRate);
  if (Object.keys(packet).length > 0) input['packet'] = packet;
  const slowDisk: Record<string, number> = {};
  if (f.slowFsync !== undefined) slowDisk['fsyncDelayMs'] = num('--slow-fsync', f.slowFsync);
  if (f.slowWrite !== undefined) slowDisk['writeDelayMs'] = num('--slow-write', f.slowWrite);
  if (Object.keys(slowDisk).length > 0) input['slowDisk'] = slowDisk;
  const corrupt: Record<string, unknown> = {};
  if (f.corruptFile !== undefined) corrupt['files'] = list(f.corruptFile);
  if (f.corruptMode !== undefined) corrupt['modes'] = list(f.corruptMode);
  if (f.corruptFlips !== undefined) corrupt['flips'] = num('--corrupt-flips', f.corruptFlips);
  if (Object.keys(corrupt).length > 0) input['corrupt'] = corrupt;
  Object.assign(input, nodeLimitInput(f));
  if (f.readMode !== undefined) input['readMode'] = f.readMode;
  if (f.consistency !== undefined) input['consistency'] = f.consistency;
  if (f.name !== undefined) input['name'] = f.name;
  return input as TestSpecInput;
}

/** One line per snapshot on a terminal; every fifth otherwise, so CI logs stay readable. */
export function progressPrinter(write: (line: string) => void): (p: Progress) => void {
  let n = 0;
  const tty = process.stderr.isTTY === true && process.env['CI'] === undefined;
  return (p) => {
    if (!tty && n++ % 5 !== 0 && p.phase === 'main') return;
    write(formatProgress(p));
  };
}

export function formatProgress(p: Progress): string {
  const faults = p.activeFaults.length === 0 ? 'no faults' : p.activeFaults.map((f) => f.text).join('; ');
  return `${p.phase} ${(p.elapsedMs / 1000).toFixed(0)}s  ${p.opsPerSecond.toFixed(0)} ops/s  ok ${p.ok} fail ${p.fail} info ${p.info}  in flight ${p.inFlight}  ${faults}`;
}

/** A checker's one-sentence explanation, when it has one. */
function explanation(details: unknown): string {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return '';
  const d = details as Record<string, unknown>;
  const text = typeof d['explanation'] === 'string' ? d['explanation'] : typeof d['reason'] === 'string' ? d['reason'] : undefined;
  return text === undefined ? '' : ` — ${text}`;
}

function describeResult(r: ExecuteResult, reportProblem: string | undefined): string {
  const lines = [
    `verdict: ${r.verdict}${r.interrupted ? ' (interrupted)' : ''}`,
    ...r.verdictReasons.map((why) => `  because ${why}`),
    ...r.checkers.map((c) => `  ${c.checker}: ${c.verdict}${explanation(c.details)}`),
    `run directory: ${r.runDir}`,
    reportProblem === undefined ? `report: ${join(r.runDir, 'report.html')}` : `warning: ${reportProblem}`,
    ...r.errors.map((e) => `warning: ${e}`),
  ];
  return `${lines.join('\n')}\n`;
}
