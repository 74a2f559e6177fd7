import type { Node } from '../cluster/node.js';
import { run, sh } from '../cluster/node.js';

/**
 * The database process on a node, started detached with its pid recorded so that it can be
 * signalled later from another exec. `exec` keeps the pid the database's own; stdout and
 * stderr go to its log file.
 */
export interface DaemonSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Where the pid of a daemon started by startDaemon is kept (the clock fault reads it too). */
export const daemonPidFile = (name: string): string => `/run/faultline/${name}.pid`;
const pidFile = daemonPidFile;

export async function startDaemon(node: Node, spec: DaemonSpec): Promise<void> {
  if (await isRunning(node, spec.name)) return;
  // The stale pid file goes first, so that a new one means this start has run.
  await sh(node, `rm -f ${pidFile(spec.name)}`);
  const script = `mkdir -p /run/faultline "$(dirname "${spec.logFile}")" && echo $$ > ${pidFile(spec.name)} && exec "$@" >> ${spec.logFile} 2>&1`;
  await node.exec(['sh', '-c', script, spec.name, ...spec.argv], { detach: true, env: spec.env ?? {} });
  // The detached exec returns before the shell has run: wait for the pid file, bounded. Not
  // for the process to stay alive: one that exits at once (a corrupted WAL) would cost the
  // whole bound, and whether it runs is the caller's question.
  for (let i = 0; i < 100; i++) {
    if ((await sh(node, `test -s ${pidFile(spec.name)}`)).exitCode === 0) return;
    await sleep(20);
  }
}

export async function isRunning(node: Node, name: string): Promise<boolean> {
  const r = await sh(node, `test -s ${pidFile(name)} && kill -0 "$(cat ${pidFile(name)})" 2>/dev/null`);
  return r.exitCode === 0;
}

export async function signalDaemon(node: Node, name: string, signal: 'TERM' | 'KILL' | 'STOP' | 'CONT'): Promise<void> {
  await sh(node, `test -s ${pidFile(name)} && kill -${signal} "$(cat ${pidFile(name)})" 2>/dev/null || true`);
}

export async function stopDaemon(node: Node, name: string, graceMs = 10_000): Promise<void> {
  // A paused process cannot handle SIGTERM: continue it first.
  await signalDaemon(node, name, 'CONT');
  await signalDaemon(node, name, 'TERM');
  if (await waitGone(node, name, graceMs)) return;
  await killDaemon(node, name);
}

export async function killDaemon(node: Node, name: string): Promise<void> {
  await signalDaemon(node, name, 'KILL');
  await waitGone(node, name, 5_000);
}

async function waitGone(node: Node, name: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await isRunning(node, name))) return true;
    await sleep(50);
  }
  return false;
}

/** The last lines of a log on a node, for error messages. */
export async function tailLog(node: Node, file: string, lines = 10): Promise<string> {
  const r = await node.exec(['tail', '-n', String(lines), file]);
  return r.exitCode === 0 ? r.stdout.trimEnd() : `(no log at ${file}: ${r.stderr.trim()})`;
}

export async function removeData(node: Node, dir: string): Promise<void> {
  // The directory's contents, not the directory: it may be a mount point (the disk-fault file system).
  await run(node, ['sh', '-c', `mkdir -p "${dir}" && find "${dir}" -mindepth 1 -delete`]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The signal-driven part of a System, the same for every database run as one daemon. */
export function processControl(name: string): {
  stop(node: Node): Promise<void>;
  kill(node: Node): Promise<void>;
  pause(node: Node): Promise<void>;
  resume(node: Node): Promise<void>;
  running(node: Node): Promise<boolean>;
} {
  return {
    running: (node) => isRunning(node, name),
    stop: (node) => stopDaemon(node, name),
    kill: (node) => killDaemon(node, name),
    pause: (node) => signalDaemon(node, name, 'STOP'),
    resume: (node) => signalDaemon(node, name, 'CONT'),
  };
}
