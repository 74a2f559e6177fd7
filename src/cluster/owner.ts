import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The CLI process that created a cluster, recorded in its labels, so that `faultline clean`
 * can tell leftovers (their CLI is gone) from clusters another CLI is still running a test
 * on (on a shared engine, several users and CI jobs make clusters at once).
 */
export interface Owner {
  readonly pid: number;
  readonly host: string;
  /**
   * When the process started, in clock ticks since boot (Linux: /proc/<pid>/stat, field 22).
   * Pids are reused; a live pid with another start time is another process.
   */
  readonly start?: string;
}

export type OwnerState =
  | { readonly state: 'alive' }
  | { readonly state: 'gone' }
  | { readonly state: 'elsewhere'; readonly host: string }
  | { readonly state: 'unknown' };

let self: Owner | undefined;

/** This process, as an owner. */
export function currentOwner(): Owner {
  if (self === undefined) {
    const start = processStart(process.pid);
    self = { pid: process.pid, host: hostname(), ...(start === undefined ? {} : { start }) };
  }
  return self;
}

/**
 * Whether the owner still runs, as seen from `here`: on another host it cannot be known
 * (`elsewhere`); without owner labels (made by an older faultline) neither (`unknown`).
 */
export function ownerState(owner: Owner | undefined, here: string, isRunning: (pid: number, start: string | undefined) => boolean): OwnerState {
  if (owner === undefined) return { state: 'unknown' };
  if (owner.host !== here) return { state: 'elsewhere', host: owner.host };
  return isRunning(owner.pid, owner.start) ? { state: 'alive' } : { state: 'gone' };
}

/** Is `pid` a running process, and the same one (same start time, where known)? A zombie has ended. */
export function processRunning(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return start === undefined || stat.start === start;
}

/** The process's start time (clock ticks since boot); undefined off Linux. */
export function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** State (field 3) and start time (field 22) of a /proc/<pid>/stat line, read after the command name, which may hold spaces and parentheses. */
export function parseStat(stat: string): { state: string; start: string } | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, start] = [fields[0], fields[19]];
  return state !== undefined && start !== undefined && /^\d+$/.test(start) ? { state, start } : undefined;
}
