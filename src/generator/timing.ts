import { type GenLike, forwardUpdate, lift } from './basic.js';
import { EXHAUSTED, type GenContext, type Generator, earliest, generator, pendingUntil } from './types.js';

/**
 * Spaces the operations of `g` (across all processes): after each one, the next waits
 * `gap(ctx)` ms. Anchored at the time of the operation, so a slow system is never made up
 * for by a burst.
 */
function spaced(g: GenLike, gap: (ctx: GenContext) => number): Generator {
  const inner = lift(g);
  return generator(() => {
    const instance = inner.start();
    let nextAt = -Infinity;
    return {
      next(ctx) {
        if (ctx.nowMs < nextAt) return pendingUntil(nextAt);
        const answer = instance.next(ctx);
        if (answer.type === 'op') nextAt = ctx.nowMs + gap(ctx);
        return answer;
      },
      update: forwardUpdate(instance),
    };
  });
}

/** Random delays between operations, uniform in [0, 2·dt) ms: on average one operation every `dtMs`. */
export function stagger(dtMs: number, g: GenLike): Generator {
  return spaced(g, (ctx) => ctx.rng.float() * 2 * dtMs);
}

/** At most `opsPerSecond` operations per second from `g`, evenly spaced. */
export function rateLimit(opsPerSecond: number, g: GenLike): Generator {
  if (!(opsPerSecond > 0)) throw new RangeError(`rateLimit: opsPerSecond must be positive, got ${opsPerSecond}`);
  const gapMs = 1000 / opsPerSecond;
  return spaced(g, () => gapMs);
}

/** `g`, until `ms` milliseconds after it is first asked; then exhausted. */
export function timeLimit(ms: number, g: GenLike): Generator {
  const inner = lift(g);
  return generator(() => {
    const instance = inner.start();
    let deadline: number | undefined;
    return {
      next(ctx) {
        deadline ??= ctx.nowMs + ms;
        if (ctx.nowMs >= deadline) return EXHAUSTED;
        const answer = instance.next(ctx);
        // Wake up at the deadline at the latest, so a waiting process learns it is over.
        if (answer.type === 'pending') return pendingUntil(earliest(answer.untilMs, deadline));
        return answer;
      },
      update: forwardUpdate(instance),
    };
  });
}
