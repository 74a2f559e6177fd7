import type { HistoryEvent, Json } from '../src/history/event.js';
import { eachProcess, clients } from '../src/generator/routing.js';
import { once } from '../src/generator/basic.js';
import { PENDING, type Generator, emit, generator, pendingUntil } from '../src/generator/types.js';
import { linearizable } from './register.js';
import { type CheckResult, type Workload, type WorkloadOptions, need } from './workload.js';

/** The one lock every process contends for, and the register its holders update in the rmw variant. */
export const LOCK_NAME = 'faultline-lock';
export const COUNTER_KEY = 'faultline-lock-counter';

type Step = 'acquire' | 'rmw' | 'release';

/**
 * One process's life: acquire; hold for a random while (in the rmw variant, read the
 * shared counter and write it back plus one — unprotected but for the lock); release;
 * rest; again. A failed acquire backs off and retries. The token an acquire returns is
 * the release's value, so the history shows which hold a release ends.
 */
export function lockCycle(rmw: boolean, opIntervalMs: number): Generator {
  const gap = Math.max(1, opIntervalMs);
  return generator(() => {
    let step: Step = 'acquire';
    let waiting = false;
    let wakeAt = 0;
    let token: Json = null;
    return {
      next(ctx) {
        if (waiting) return PENDING;
        if (ctx.nowMs < wakeAt) return pendingUntil(wakeAt);
        waiting = true;
        switch (step) {
          case 'acquire':
            return emit({ f: 'acquire', value: null, key: LOCK_NAME });
          case 'rmw':
            return emit({ f: 'rmw', value: null, key: COUNTER_KEY });
          case 'release':
            return emit({ f: 'release', value: token, key: LOCK_NAME });
        }
      },
      update(c, ctx) {
        waiting = false;
        const rest = (): void => {
          wakeAt = ctx.nowMs + ctx.rng.float() * 2 * gap;
        };
        if (c.op.f === 'acquire') {
          if (c.type === 'ok') {
            token = c.value;
            step = rmw ? 'rmw' : 'release';
          }
          rest();
        } else if (c.op.f === 'rmw') {
          step = 'release';
        } else {
          step = 'acquire';
          token = null;
          rest();
        }
      },
    };
  });
}

function makeLockWorkload(rmw: boolean): Workload {
  return {
    name: rmw ? 'lock-rmw' : 'lock',
    summary: rmw
      ? 'acquire / release, and an unprotected read-modify-write of a shared counter while holding the lock: mutex + lost updates'
      : 'acquire / release of one lock, checked as a mutex',
    needs: rmw ? ['lock', 'register'] : ['lock'],

    generator: (o) => eachProcess(lockCycle(rmw, o.opIntervalMs)),

    final: () => (rmw ? clients(once({ f: 'read', value: null, key: COUNTER_KEY })) : undefined),

    async invoke(caps, op, call, o: WorkloadOptions) {
      switch (op.f) {
        case 'acquire':
          return { type: 'ok', value: await need(caps, 'lock').acquire(LOCK_NAME, o.lockTtlMs, call) };
        case 'release':
          return (await need(caps, 'lock').release(LOCK_NAME, String(op.value), call)) ? { type: 'ok', value: op.value } : { type: 'fail', error: 'not-held' };
        case 'rmw': {
          const register = need(caps, 'register');
          const read = await register.read(COUNTER_KEY, call);
          const before = typeof read === 'number' ? read : 0;
          await register.write(COUNTER_KEY, before + 1, call);
          return { type: 'ok', value: [before, before + 1] };
        }
        case 'read':
          return { type: 'ok', value: await need(caps, 'register').read(COUNTER_KEY, call) };
        default:
          throw new Error(`lock workload: unknown operation "${op.f}"`);
      }
    },

    async check(history, o) {
      const locks = history.filter((e) => e.f === 'acquire' || e.f === 'release' || e.process === 'nemesis').map((e, index) => ({ ...e, index }));
      const results: CheckResult[] = [await linearizable('mutex', locks, 'mutex', o.checkTimeLimitMs)];
      if (rmw) results.push(checkLostUpdates(history));
      return results;
    },
  };
}

export const lockWorkload = makeLockWorkload(false);
export const lockRmwWorkload = makeLockWorkload(true);

/**
 * The rmw variant's own check: if the lock excluded, the increments were serial, so every
 * completed rmw read a different value and the final counter is at least the number of
 * completed rmws. Two rmws that read the same value, or a final counter below the count,
 * are lost updates. Without a final read and without duplicates there is no verdict.
 */
export function checkLostUpdates(history: readonly HistoryEvent[]): CheckResult {
  const readBy = new Map<number, number[]>();
  let okRmw = 0;
  let finalValue: number | undefined;
  for (const e of history) {
    if (e.type !== 'ok' || e.key !== COUNTER_KEY) continue;
    if (e.f === 'rmw' && Array.isArray(e.value) && typeof e.value[0] === 'number') {
      okRmw++;
      const seen = readBy.get(e.value[0]) ?? [];
      seen.push(e.index);
      readBy.set(e.value[0], seen);
    } else if (e.f === 'read') {
      finalValue = typeof e.value === 'number' ? e.value : 0;
    }
  }
  const duplicates = [...readBy.entries()].filter(([, events]) => events.length > 1).map(([read, events]) => ({ read, events }));
  const short = finalValue !== undefined && finalValue < okRmw;
  const verdict = duplicates.length > 0 || short ? 'invalid' : finalValue === undefined ? 'unknown' : 'valid';
  const details: { [k: string]: Json } = {
    completedRmw: okRmw,
    finalValue: finalValue ?? null,
    lostUpdates: duplicates.slice(0, 10),
    duplicateReads: duplicates.length,
  };
  if (verdict === 'unknown') details['reason'] = 'no final read of the counter completed';
  if (short) details['reason'] = `the final counter ${finalValue} is below the ${okRmw} completed increments`;
  return { checker: 'lost-updates', verdict, details };
}
