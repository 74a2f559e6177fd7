import { errorText } from '../src/runner/outcome.js';
import { deadline, sleepMs } from '../src/runner/async.js';

/** How long a fault aimed at the leader waits for one during an election, and how often it looks. */
export const LEADER_WAIT_MS = 3_000;
export const LEADER_POLL_MS = 250;

export interface LeaderWait {
  leader: string | undefined;
  /** Lookups made, and how long it waited in all (ms). */
  lookups: number;
  waitedMs: number;
  /** The last lookup's error, when it failed rather than answered "none". */
  lastError?: string;
}

/**
 * The current leader, waiting up to `waitMs` for one to appear: a fault aimed at the leader
 * often comes right after another fault made the cluster elect (a kill, a partition's heal),
 * and "no leader" then usually means "not yet". Looks every `pollMs`; every lookup is bounded
 * by what is left of the wait; a failed lookup counts as "none known". Gives up (leader
 * undefined) when the wait is over or `signal` aborts — the fault is then recorded as not
 * applied, never aimed at a guess.
 */
export async function awaitLeader(
  lookup: (signal: AbortSignal) => Promise<string | undefined>,
  signal: AbortSignal,
  waitMs = LEADER_WAIT_MS,
  pollMs = LEADER_POLL_MS,
): Promise<LeaderWait> {
  const started = Date.now();
  const waited = (): number => Date.now() - started;
  let lookups = 0;
  let lastError: string | undefined;
  for (;;) {
    lookups++;
    // A timer of our own (AbortSignal.timeout's does not keep the process alive while a lookup hangs).
    const timer = deadline(Math.max(1, waitMs - waited()));
    const bound = AbortSignal.any([signal, timer.signal]);
    try {
      const leader = await abortable(lookup(bound), bound);
      if (leader !== undefined) return { leader, lookups, waitedMs: waited() };
      lastError = undefined;
    } catch (err) {
      lastError = errorText(err);
    } finally {
      timer.dispose();
    }
    if (signal.aborted || waited() + pollMs >= waitMs) return { leader: undefined, lookups, waitedMs: waited(), ...(lastError === undefined ? {} : { lastError }) };
    await sleepMs(pollMs, signal);
  }
}

/** Settles like `p`, or rejects when `signal` aborts first (a lookup that ignores its signal cannot hold the wait). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('the wait for a leader ended'));
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(new Error('the wait for a leader ended'));
    signal.addEventListener('abort', stop, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Why no leader could be aimed at, for the fault's record. */
export function noLeaderReason(w: LeaderWait): string {
  const error = w.lastError === undefined ? '' : ` (last lookup: ${w.lastError})`;
  return `no leader known after waiting ${(w.waitedMs / 1000).toFixed(1)} s (${w.lookups} lookups)${error}`;
}
