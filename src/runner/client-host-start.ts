import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * How long a starting client process may take. A fixed wall-clock limit mistakes a busy
 * machine for a broken child: each child loads faultline and the client libraries (a
 * second or two of CPU on an idle machine), and on a shared 2-core machine at load 20 with
 * eight children starting at once that took over 30 s of wall time while every child was
 * working. So the limit is on progress: a child that used no CPU for `stallMs` is stuck
 * (waiting on something that will not come), whatever the load; one that keeps working
 * gets up to `maxMs`.
 */
export interface StartLimits {
  /** Give up on a child that used no CPU time for this long. */
  readonly stallMs: number;
  /** Give up on any child still starting after this long. */
  readonly maxMs: number;
  /** How often to look at the child's CPU time. */
  readonly pollMs: number;
}

export const START_LIMITS: StartLimits = { stallMs: 30_000, maxMs: 180_000, pollMs: 1_000 };

/** What the watch has seen of a starting child, and whether it gives up (the reason) or not (undefined). */
export interface StartProgress {
  readonly elapsedMs: number;
  /** The child's CPU time so far (user + system), or undefined where /proc cannot tell. */
  readonly cpuMs: number | undefined;
  /** When (since the start) its CPU time last grew. */
  readonly lastProgressMs: number;
}

export function giveUpReason(p: StartProgress, limits: StartLimits, load: number = loadavg()[0] ?? 0): string | undefined {
  const used = p.cpuMs === undefined ? '' : `, having used ${(p.cpuMs / 1000).toFixed(1)} s of CPU`;
  const context = `(load average ${load.toFixed(1)})`;
  if (p.cpuMs !== undefined && p.elapsedMs - p.lastProgressMs >= limits.stallMs) {
    return `it used no CPU for ${Math.round((p.elapsedMs - p.lastProgressMs) / 1000)} s${used} in ${Math.round(p.elapsedMs / 1000)} s: it is stuck, not slow ${context}`;
  }
  if (p.elapsedMs >= limits.maxMs) return `it was still starting after ${Math.round(p.elapsedMs / 1000)} s${used} ${context}`;
  return undefined;
}

/** A process's CPU time in ms from /proc/PID/stat (utime + stime, fields 14 and 15), or undefined. */
export function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux that Node runs on.
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

export interface StartWatch {
  /** Stops watching; true if the watch was still running (it had not given up or been stopped). */
  stop(): boolean;
}

/** Watches a starting child: calls `giveUp(reason)` once if it is stuck or over the cap. */
export function startWatch(pid: number | undefined, giveUp: (reason: string) => void, limits: StartLimits = START_LIMITS): StartWatch {
  const started = Date.now();
  let lastCpu = cpuTimeMs(pid);
  let lastProgressMs = 0;
  let running = true;
  const timer = setInterval(() => {
    const elapsedMs = Date.now() - started;
    const cpuMs = cpuTimeMs(pid);
    if (cpuMs !== undefined && (lastCpu === undefined || cpuMs > lastCpu)) lastProgressMs = elapsedMs;
    lastCpu = cpuMs;
    const why = giveUpReason({ elapsedMs, cpuMs, lastProgressMs }, limits);
    if (why === undefined) return;
    running = false;
    clearInterval(timer);
    giveUp(why);
  }, limits.pollMs);
  return {
    stop() {
      const was = running;
      running = false;
      clearInterval(timer);
      return was;
    },
  };
}
