import type { HistoryEvent, Json } from '../src/history/event.js';
import { checkLock, grantOf } from '../src/checker/lock/index.js';
import { eachProcess } from '../src/generator/routing.js';
import { PENDING, type Generator, emit, generator, pendingUntil } from '../src/generator/types.js';
import type { Outcome } from '../src/runner/outcome.js';
import { STALE, fencedRead, fencedValue, fencedWrite } from './fenced.js';
import { linearizable } from './register.js';
import { untilOk } from './until-ok.js';
import { type CheckResult, type Workload, type WorkloadOptions, need, toJson } from './workload.js';

/** The one lock every process contends for, and the register its holders update in the rmw variants. */
export const LOCK_NAME = 'faultline-lock';
export const COUNTER_KEY = 'faultline-lock-counter';

type Variant = 'lock' | 'lock-rmw' | 'lock-fenced';
type Step = 'acquire' | 'rmw' | 'release';

/**
 * One process's life: acquire; hold for a random while (in the rmw variants, read the shared
 * counter and write it back plus one — unprotected but for the lock, or fenced); release;
 * rest; again. A failed acquire backs off and retries; a failed release (it certainly did not
 * happen, so the lock is still held) is retried. The token an acquire returns is the
 * release's value, so the history shows which hold a release ends; in the fenced variant the
 * rmw carries the grant's fence.
 */
export function lockCycle(rmw: boolean, opIntervalMs: number): Generator {
  const gap = Math.max(1, opIntervalMs);
  return generator(() => {
    let step: Step = 'acquire';
    let waiting = false;
    let wakeAt = 0;
    let grant: { token?: string; fence?: number } = {};
    return {
      next(ctx) {
        if (waiting) return PENDING;
        if (ctx.nowMs < wakeAt) return pendingUntil(wakeAt);
        waiting = true;
        switch (step) {
          case 'acquire':
            return emit({ f: 'acquire', value: null, key: LOCK_NAME });
          case 'rmw':
            return emit({ f: 'rmw', value: grant.fence ?? null, key: COUNTER_KEY });
          case 'release':
            return emit({ f: 'release', value: grant.token ?? null, key: LOCK_NAME });
        }
      },
      update(c, ctx) {
        waiting = false;
        const rest = (): void => {
          wakeAt = ctx.nowMs + ctx.rng.float() * 2 * gap;
        };
        if (c.op.f === 'acquire') {
          if (c.type === 'ok') {
            grant = grantOf(c.value);
            step = rmw ? 'rmw' : 'release';
          }
          rest();
        } else if (c.op.f === 'rmw') {
          step = 'release';
        } else if (c.type === 'fail') {
          rest();
        } else {
          step = 'acquire';
          grant = {};
          rest();
        }
      },
    };
  });
}

function grantJson(g: { token: string; fence?: number }): Json {
  return g.fence === undefined ? { token: g.token } : { token: g.token, fence: g.fence };
}

function makeLockWorkload(variant: Variant): Workload {
  const rmw = variant !== 'lock';
  const fenced = variant === 'lock-fenced';
  return {
    name: variant,
    summary:
      variant === 'lock'
        ? 'acquire / release of one lock, checked for overlapping critical sections'
        : variant === 'lock-rmw'
          ? 'a lock guarding an unprotected read-modify-write of a shared counter: overlapping critical sections + lost updates'
          : "a lock whose grants carry the system's fencing token, guarding a counter that refuses stale fences: the resource stays safe where the lease does not",
    needs: rmw ? ['lock', 'register'] : ['lock'],
    pauseAfter: 'acquire',

    generator: (o) => eachProcess(lockCycle(rmw, o.opIntervalMs)),

    final: () => (rmw ? untilOk({ f: 'read', value: null, key: COUNTER_KEY }) : undefined),

    async invoke(caps, op, call, o: WorkloadOptions): Promise<Outcome> {
      switch (op.f) {
        case 'acquire':
          return { type: 'ok', value: grantJson(await need(caps, 'lock').acquire(LOCK_NAME, o.lockTtlMs, { ...call, fence: fenced })) };
        case 'release': {
          if (typeof op.value !== 'string') return { type: 'fail', error: 'no-token' };
          const outcome = await need(caps, 'lock').release(LOCK_NAME, op.value, call);
          return { type: 'ok', value: { token: op.value, lost: outcome === 'lost' } };
        }
        case 'rmw':
          return fenced ? fencedIncrement(caps, op.value, call) : plainIncrement(caps, call);
        case 'read': {
          const value = await need(caps, 'register').read(COUNTER_KEY, call);
          return { type: 'ok', value: fenced ? fencedValue(value) : value };
        }
        default:
          throw new Error(`${variant} workload: unknown operation "${op.f}"`);
      }
    },

    async check(history, o) {
      const locks = history.filter((e) => e.f === 'acquire' || e.f === 'release' || e.process === 'nemesis').map((e, index) => ({ ...e, index }));
      const lock = checkLock(history, { ttlMs: o.lockTtlMs });
      // The mutex model never sees a lease expire: a second opinion, not the verdict.
      const model = await linearizable('mutex', locks, 'mutex', o.checkTimeLimitMs);
      const secondOpinion = { model: 'mutex', verdict: model.verdict, note: 'linearizability against a lock without leases; a lease that expired under its holder shows here as an impossible acquire' };
      const sections: CheckResult = { checker: 'mutual-exclusion', verdict: lock.verdict, details: toJson({ ...lock, secondOpinion }) };
      if (!rmw) return [sections];
      const updates = checkLostUpdates(history);
      if (!fenced) return [sections, updates];
      // Fenced: overlapping leases are expected; what must hold is the resource and the fences.
      const staleRefused = history.filter((e) => e.f === 'rmw' && e.type === 'fail' && e.error === 'stale-fence').length;
      const updatesReason = String((updates.details as { reason?: string }).reason ?? '');
      const leases = lock.overlapCount === 0 ? 'no two critical sections overlapped' : `the lock itself let ${lock.overlapCount} pair(s) of critical sections overlap`;
      const resource: CheckResult = {
        checker: 'fenced-resource',
        verdict: lock.fenceInversion !== undefined ? 'invalid' : updates.verdict,
        details: toJson({
          ...(updates.details as object),
          reason: lock.fenceInversion === undefined ? `${updatesReason}; ${leases}, and the counter refused ${staleRefused} access(es) with a stale fence` : `fencing tokens went backwards: ${lock.fenceInversion}`,
          staleRefused,
          lock: { verdict: lock.verdict, overlapCount: lock.overlapCount, explanation: lock.explanation },
        }),
      };
      return [resource];
    },
  };
}

async function plainIncrement(caps: Parameters<Workload['invoke']>[0], call: Parameters<Workload['invoke']>[2]): Promise<Outcome> {
  const register = need(caps, 'register');
  const read = await register.read(COUNTER_KEY, call);
  const before = typeof read === 'number' ? read : 0;
  await register.write(COUNTER_KEY, before + 1, call);
  return { type: 'ok', value: [before, before + 1] };
}

/** Read then write the counter under the grant's fence; a newer fence in between refuses the write. */
async function fencedIncrement(caps: Parameters<Workload['invoke']>[0], fence: Json, call: Parameters<Workload['invoke']>[2]): Promise<Outcome> {
  if (typeof fence !== 'number') return { type: 'fail', error: 'no-fence' };
  const register = need(caps, 'register');
  const token = BigInt(fence);
  const read = await fencedRead(register, COUNTER_KEY, token, call);
  if (read === STALE) return { type: 'fail', error: 'stale-fence' };
  const before = typeof read === 'number' ? read : 0;
  const wrote = await fencedWrite(register, COUNTER_KEY, token, before + 1, call);
  if (wrote === STALE) return { type: 'fail', error: 'stale-fence' };
  return { type: 'ok', value: [before, before + 1] };
}

export const lockWorkload = makeLockWorkload('lock');
export const lockRmwWorkload = makeLockWorkload('lock-rmw');
export const lockFencedWorkload = makeLockWorkload('lock-fenced');

/**
 * The rmw variants' own check: if the lock (or the fence) excluded, the increments were
 * serial, so every completed rmw read a different value and the final counter is at least
 * the number of completed rmws. Two rmws that read the same value, or a final counter below
 * the count, are lost updates. Without a final read and without duplicates there is no verdict.
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
  const first = duplicates[0];
  if (first !== undefined) details['reason'] = `${first.events.length} increments (history indices ${first.events.join(', ')}) all read the counter at ${first.read}: all but one of them were lost`;
  else if (short) details['reason'] = `the final counter ${finalValue} is below the ${okRmw} completed increments`;
  else if (verdict === 'unknown') details['reason'] = 'no final read of the counter completed';
  else details['reason'] = `${okRmw} increments, each read a different value, final counter ${finalValue}`;
  return { checker: 'lost-updates', verdict, details };
}
