import {
  EXHAUSTED,
  type Completion,
  type GenContext,
  type Generator,
  type GenInstance,
  type OpRequest,
  emit,
  generator,
  pendingUntil,
} from './types.js';

/** Anything a combinator accepts: a generator, or a bare operation (meaning: that operation, once). */
export type GenLike = Generator | OpRequest;

export function lift(g: GenLike): Generator {
  return 'start' in g ? g : once(g);
}

/** Calls `f` for every operation; `undefined` ends it. `f` should draw randomness from `ctx.rng`. */
export function fn(f: (ctx: GenContext) => OpRequest | undefined): Generator {
  return generator(() => {
    let done = false;
    return {
      next(ctx) {
        if (done) return EXHAUSTED;
        const op = f(ctx);
        if (op === undefined) {
          done = true;
          return EXHAUSTED;
        }
        return emit(op);
      },
    };
  });
}

/** At most `n` operations from `g` (counted across all processes). */
export function limit(n: number, g: GenLike): Generator {
  const inner = lift(g);
  return generator(() => {
    const instance = inner.start();
    let left = n;
    return {
      next(ctx) {
        if (left <= 0) return EXHAUSTED;
        const answer = instance.next(ctx);
        if (answer.type === 'op') left--;
        return answer;
      },
      update: forwardUpdate(instance),
    };
  });
}

/** One operation from `g` (an operation given directly is emitted once). */
export function once(g: GenLike): Generator {
  if ('start' in g) return limit(1, g);
  const op = g;
  return generator(() => {
    let done = false;
    return {
      next() {
        if (done) return EXHAUSTED;
        done = true;
        return emit(op);
      },
    };
  });
}

/**
 * Runs `g` again, with fresh state, each time it is exhausted: `times` runs in all, or
 * forever. `repeat({f: 'read', value: null})` reads forever.
 */
export function repeat(g: GenLike, times = Infinity): Generator {
  const inner = lift(g);
  return generator(() => {
    let runs = 1;
    let instance = inner.start();
    return {
      next(ctx) {
        const answer = instance.next(ctx);
        if (answer.type !== 'exhausted' || runs >= times) return answer;
        runs++;
        instance = inner.start();
        const first = instance.next(ctx);
        // A generator exhausted on a fresh start ends the repetition for good instead of looping.
        if (first.type === 'exhausted') runs = Infinity;
        return first;
      },
      update(c, ctx) {
        instance.update?.(c, ctx);
      },
    };
  });
}

/** Nothing for `ms` milliseconds from the first time it is asked, then exhausted. */
export function sleep(ms: number): Generator {
  return generator(() => {
    let wakeAt: number | undefined;
    return {
      next(ctx) {
        wakeAt ??= ctx.nowMs + ms;
        return ctx.nowMs >= wakeAt ? EXHAUSTED : pendingUntil(wakeAt);
      },
    };
  });
}

export function forwardUpdate(instance: GenInstance): (c: Completion, ctx: GenContext) => void {
  return (c, ctx) => instance.update?.(c, ctx);
}
