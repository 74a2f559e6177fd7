import { type GenLike, lift } from './basic.js';
import { EXHAUSTED, PENDING, type Answer, type Generator, earliest, generator, pendingUntil } from './types.js';

/** Each operation from one of `gens`, chosen at random (from `ctx.rng`); exhausted when all are. */
export function mix(gens: readonly GenLike[]): Generator {
  const inner = gens.map(lift);
  return generator(() => {
    const live = inner.map((g) => g.start());
    return {
      next(ctx) {
        while (live.length > 0) {
          const i = ctx.rng.int(0, live.length - 1);
          const answer = (live[i] as (typeof live)[number]).next(ctx);
          if (answer.type !== 'exhausted') return answer;
          live.splice(i, 1);
        }
        return EXHAUSTED;
      },
      update(c, ctx) {
        for (const g of live) g.update?.(c, ctx);
      },
    };
  });
}

/**
 * Runs `gens` one after another. A phase starts once the previous one is exhausted and
 * every operation in flight has completed, so `phases(main, heal, finalReads)` reads only
 * after the last write has returned.
 */
export function phases(...gens: readonly GenLike[]): Generator {
  const inner = gens.map(lift);
  return generator(() => {
    let i = 0;
    let current = inner[0]?.start();
    return {
      next(ctx) {
        while (current !== undefined) {
          const answer = current.next(ctx);
          if (answer.type !== 'exhausted') return answer;
          if (ctx.busy > 0) return PENDING;
          i++;
          current = inner[i]?.start();
        }
        return EXHAUSTED;
      },
      update(c, ctx) {
        current?.update?.(c, ctx);
      },
    };
  });
}

/**
 * All of `gens` at once: a process gets the first operation any of them offers. Meant for
 * generators that serve different processes, e.g. `concurrently(clients(ops), nemesis(faults))`.
 */
export function concurrently(...gens: readonly GenLike[]): Generator {
  const inner = gens.map(lift);
  return generator(() => {
    const live = inner.map((g) => g.start());
    return {
      next(ctx): Answer {
        let wake: number | undefined;
        let anyPending = false;
        for (let i = 0; i < live.length; ) {
          const answer = (live[i] as (typeof live)[number]).next(ctx);
          if (answer.type === 'op') return answer;
          if (answer.type === 'exhausted') {
            live.splice(i, 1);
            continue;
          }
          wake = earliest(wake, answer.untilMs);
          anyPending = true;
          i++;
        }
        return anyPending ? pendingUntil(wake) : EXHAUSTED;
      },
      update(c, ctx) {
        for (const g of live) g.update?.(c, ctx);
      },
    };
  });
}
