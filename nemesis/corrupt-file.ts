import type { Cluster, Node } from '../src/cluster/node.js';
import { sh } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import type { Rng } from '../src/generator/random.js';
import type { Nemesis } from '../src/runner/nemesis.js';
import { sleep } from '../src/systems/daemon.js';
import type { CorruptibleFile, StartOptions, SystemDescriptor as System } from '../src/systems/descriptor.js';
import { CORRUPT_MODES, type CorruptMode, corruptionRecord, corruptionScript, dataEndScript, planCorruption } from './corruption.js';
import { processFaultNemesis } from './process-faults.js';

/** What `--corrupt-file`, `--corrupt-mode` and `--corrupt-flips` chose: the files and modes each fault is drawn from. */
export interface CorruptPlan {
  readonly files: readonly string[];
  readonly modes: readonly CorruptMode[];
  readonly flips: number;
}

export const DEFAULT_CORRUPT_FLIPS = 1;
/** How long a restarted database is watched: long enough for ZooKeeper's JVM to read its log and snapshot. */
const WATCH_MS = 8_000;
/** The database's own words about what it found, among the lines it logged after the restart. */
const FINDINGS = 'corrupt|crc|checksum|repair|truncat|invalid|unexpected|mismatch|panic|fatal|error|bad |short read|unable';

/** Why the system cannot take the corrupt-file fault, or undefined. */
export function corruptUnsupported(system: System): string | undefined {
  if (system.kill === undefined) return `${system.name} has no way to kill its process`;
  if (system.running === undefined) return `${system.name} cannot tell whether its process runs (a restart could not be watched)`;
  if (system.dataDir === undefined || (system.corruptibleFiles ?? []).length === 0) {
    return `${system.name} declares no files to corrupt${system.name === 'redis' ? ' (Redis persists nothing unless --redis-appendfsync turns the append-only file on)' : ''}`;
  }
  return undefined;
}

/** Why `names` are not files the system declares, or undefined. */
export function unknownCorruptFiles(system: System, names: readonly string[]): string | undefined {
  const known = (system.corruptibleFiles ?? []).map((f) => f.name);
  const bad = names.filter((n) => !known.includes(n));
  return bad.length === 0 ? undefined : `${system.name} declares no corruptible file ${bad.map((b) => `"${b}"`).join(', ')} (it has: ${known.join(', ') || 'none'})`;
}

/** The value of one `start-corrupt-file`, drawn from the faults stream. */
export function drawCorruptChoice(rng: Pick<Rng, 'pick'>, plan: CorruptPlan, targets: string): { targets: string; file: string; mode: CorruptMode } {
  return { targets, file: rng.pick(plan.files), mode: rng.pick(plan.modes) };
}

/** The file and mode a start value names; a value naming neither a declared file nor a mode (a hand-edited replay) is not guessed at. */
function parseChoice(system: System, value: Json): { file: CorruptibleFile; mode: CorruptMode } | { reason: string } {
  const v = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const file = (system.corruptibleFiles ?? []).find((f) => f.name === v['file']);
  const mode = CORRUPT_MODES.find((m) => m === v['mode']);
  if (file === undefined) return { reason: `${system.name} declares no corruptible file ${JSON.stringify(v['file'] ?? null)}` };
  if (mode === undefined) return { reason: `no corrupt mode ${JSON.stringify(v['mode'] ?? null)} (${CORRUPT_MODES.join(', ')})` };
  return { file, mode };
}

/** The newest file matching the glob under the data directory, or undefined. */
async function newestMatch(node: Node, dataDir: string, glob: string): Promise<string | undefined> {
  // The glob stays unquoted so the shell expands it; ls -t puts the most recently modified first.
  const r = await sh(node, `cd '${dataDir}' && ls -1t -d -- ${glob} 2>/dev/null | head -n 1`);
  const name = r.stdout.trim();
  return r.exitCode === 0 && name !== '' ? `${dataDir}/${name}` : undefined;
}

/** Damages the chosen file on a node whose database is stopped; what was changed, exactly, or why nothing was. */
async function corrupt(node: Node, dataDir: string, file: CorruptibleFile, mode: CorruptMode, flips: number, rng: Pick<Rng, 'int'>): Promise<{ [k: string]: Json }> {
  const path = await newestMatch(node, dataDir, file.glob);
  if (path === undefined) return { applied: false, file: file.name, reason: `no file matches ${dataDir}/${file.glob}` };
  const measured = await sh(node, dataEndScript(path), { timeoutMs: 30_000 });
  const [size, end] = measured.stdout.trim().split(/\s+/).map(Number);
  if (measured.exitCode !== 0 || size === undefined || end === undefined || !Number.isSafeInteger(size) || !Number.isSafeInteger(end)) {
    return { applied: false, file: file.name, path, reason: `could not measure ${path}: ${measured.stderr.trim() || measured.stdout.trim()}` };
  }
  const plan = planCorruption(size, end, mode, flips, rng);
  if ('reason' in plan) return { applied: false, file: file.name, path, reason: plan.reason };
  const r = await sh(node, corruptionScript(path, plan), { timeoutMs: 30_000 });
  const { applied, record } = corruptionRecord(plan, r.stdout);
  return { applied: applied && r.exitCode === 0, file: file.name, path, ...record, ...(r.exitCode === 0 ? {} : { reason: r.stderr.trim().split('\n').slice(-2).join(' | ') }) };
}

async function logLineCount(node: Node, log: string | undefined): Promise<number> {
  if (log === undefined) return 0;
  const r = await sh(node, `wc -l < '${log}' 2>/dev/null || echo 0`);
  return Number(r.stdout.trim()) || 0;
}

/** The database's log lines after line `from` that say what it found (the last few). */
async function findings(node: Node, log: string | undefined, from: number, lines: number): Promise<string[]> {
  if (log === undefined) return [];
  const r = await sh(node, `tail -n +${from + 1} '${log}' 2>/dev/null | grep -aiE '${FINDINGS}' | tail -n ${lines} | cut -c1-400`);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/**
 * Starts the database again and watches it for WATCH_MS: `refused` when the process is gone
 * by then (the node stays down; the log says why), `started` when it still runs. Whether it
 * lost data is for the checkers to say.
 */
async function restartAndWatch(system: System, cluster: Cluster, node: Node, startOptions: StartOptions | undefined, watchMs: number): Promise<{ [k: string]: Json }> {
  const log = system.logFiles?.[0];
  const from = await logLineCount(node, log);
  const t0 = Date.now();
  // start() itself may take seconds (it waits for a pid); the process is looked at after it, whatever the time.
  await system.start(cluster, node, startOptions);
  let alive = await system.running!(node);
  while (alive && Date.now() - t0 < watchMs) {
    await sleep(200);
    alive = await system.running!(node);
  }
  const seenMs = Date.now() - t0;
  const said = await findings(node, log, from, 5);
  if (!alive) {
    const tail = log === undefined ? '' : (await sh(node, `tail -n +${from + 1} '${log}' | tail -n 3 | cut -c1-400`)).stdout.trim();
    return { outcome: 'refused', exitedWithinMs: seenMs, log: said.length > 0 ? said : tail.split('\n').filter((l) => l !== '') };
  }
  return { outcome: 'started', watchedMs: seenMs, log: said };
}

/**
 * `start-corrupt-file` with `{targets, file, mode}`: on each target, SIGKILL the database,
 * damage the newest file the descriptor declares under `file` (flip bits inside its data, or
 * cut it short), fsync it, start the database again and record what it did. The change is
 * never undone: `stop-corrupt-file` and healing only start the database again (a node that
 * refused stays down and says so again).
 */
export function corruptFileNemesis(system: System, cluster: Cluster, flips: number, startOptions?: StartOptions, watchMs = WATCH_MS): Nemesis {
  const why = corruptUnsupported(system);
  if (why !== undefined) throw new Error(why);
  const { kill, dataDir } = system;
  return processFaultNemesis(cluster, {
    fault: 'corrupt-file',
    signal: 'SIGKILL',
    act: async (node, value, ctx): Promise<Json> => {
      const choice = parseChoice(system, value);
      if ('reason' in choice) return { applied: false, killed: false, reason: choice.reason };
      const { file, mode } = choice;
      await kill!.call(system, node);
      const change = await corrupt(node, dataDir!, file, mode, flips, ctx.rng);
      // Restarted whatever happened: the kill did happen, and the node must not stay down for nothing.
      return { ...change, restart: await restartAndWatch(system, cluster, node, startOptions, watchMs) };
    },
    undo: async (node) => {
      await system.start(cluster, node, startOptions);
      return undefined;
    },
  });
}
