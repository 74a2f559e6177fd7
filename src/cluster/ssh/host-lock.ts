import { hostname } from 'node:os';
import { jsonObjectOf } from '../node.js';

/**
 * Who is using an SSH host: one file per host, written with O_EXCL (`set -C`), so two
 * faultline processes — on this machine or on two control machines — never drive the same
 * host at once (each run resets the hosts it starts on, which would wreck the other's run).
 * Outside the folders a reset empties: the lock outlives the reset it guards.
 */
export const HOST_LOCK = '/var/lib/faultline.lock';

export interface HostLock {
  /** The cluster that holds the host. */
  readonly cluster: string;
  readonly name: string;
  readonly system: string;
  /** The hosts of the cluster, in node order (a `cluster ls` from elsewhere rebuilds it from any one lock). */
  readonly nodes: readonly string[];
  /** `run`: held for the life of the process `pid`; `cluster`: left by `cluster up`, held until `cluster down`. */
  readonly holder: 'run' | 'cluster';
  /** The control machine: its host name, its kernel's boot id, the process. */
  readonly control: string;
  readonly bootId: string;
  readonly pid: number;
  readonly createdAt: string;
}

export function lockRecord(o: { cluster: string; name: string; system: string; nodes: readonly string[]; holder: HostLock['holder']; bootId: string; createdAt: Date }): HostLock {
  return { cluster: o.cluster, name: o.name, system: o.system, nodes: [...o.nodes], holder: o.holder, control: hostname(), bootId: o.bootId, pid: process.pid, createdAt: o.createdAt.toISOString() };
}

/**
 * `$1` = the lock's JSON. Creates the file only if there is none (`acquired`); else prints
 * `held` and the holder's JSON. With `$2` = a holder's JSON, replaces the lock only while it
 * still says exactly that (a stale lock taken over; two takers cannot both win the compare).
 */
export const ACQUIRE_SCRIPT = [
  `f=${HOST_LOCK}`,
  'if [ -n "$2" ] && [ "$(cat "$f" 2>/dev/null)" = "$2" ]; then rm -f "$f"; fi',
  'if ( set -C; printf \'%s\\n\' "$1" > "$f" ) 2>/dev/null; then echo acquired; else echo held; cat "$f"; fi',
].join('\n');

/** `$1` = the cluster id: the lock goes only if that cluster holds it (`released`, or `not-held`). */
export const RELEASE_SCRIPT = [
  `f=${HOST_LOCK}`,
  'if grep -q "\\"cluster\\":\\"$1\\"" "$f" 2>/dev/null; then rm -f "$f"; echo released; else echo not-held; fi',
].join('\n');

/** The lock's JSON, or nothing. */
export const READ_SCRIPT = `cat ${HOST_LOCK} 2>/dev/null || true`;

/** A lock file's text → its holder; undefined for an empty or unreadable one (treated as stale: it cannot say who holds it). */
export function parseLock(text: string): HostLock | undefined {
  const o = jsonObjectOf(text);
  if (o === undefined) return undefined;
  const strings = ['cluster', 'name', 'system', 'control', 'bootId', 'createdAt'] as const;
  if (!strings.every((k) => typeof o[k] === 'string') || (o['holder'] !== 'run' && o['holder'] !== 'cluster') || typeof o['pid'] !== 'number') return undefined;
  if (!Array.isArray(o['nodes']) || !o['nodes'].every((n) => typeof n === 'string')) return undefined;
  return o as unknown as HostLock;
}

/**
 * Whether a holder is gone: a run's lock whose process no longer runs on this control
 * machine (same kernel boot; after a reboot of it no run survives). A `cluster up` lock is
 * never stale (it is meant to outlive its process); nor is a run on another control machine,
 * whose processes cannot be seen from here (`faultline clean --hosts` frees those).
 */
export function isStale(lock: HostLock | undefined, here: { readonly bootId: string; readonly control: string; readonly alive: (pid: number) => boolean }): boolean {
  if (lock === undefined) return true;
  if (lock.holder !== 'run' || lock.control !== here.control) return false;
  return lock.bootId !== here.bootId || !here.alive(lock.pid);
}

/** Whether a process of this machine runs (EPERM: it does, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder in words, for a busy host's error. */
export function describeHolder(lock: HostLock): string {
  const who = lock.holder === 'cluster' ? `\`cluster up\` cluster ${lock.cluster} (${lock.name})` : `run on cluster ${lock.cluster} (${lock.name})`;
  return `${who}, ${lock.system}, from ${lock.control} pid ${lock.pid} since ${lock.createdAt}`;
}
