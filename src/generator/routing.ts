import { NEMESIS } from '../history/event.js';
import { type GenLike, lift } from './basic.js';
import { EXHAUSTED, PENDING, type GenContext, type Generator, type GenInstance, generator } from './types.js';

/**
 * Serves `g` to one kind of process only. Others get "pending" until `g` is exhausted (which
 * some process of the right kind finds out), then "exhausted" too.
 */
function only(side: 'clients' | 'nemesis', g: GenLike, adapt: (ctx: GenContext) => GenContext): Generator {
  const inner = lift(g);
  const mine = (ctx: { process: GenContext['process'] }) => (ctx.process === NEMESIS) === (side === 'nemesis');
  return generator(() => {
    const instance = inner.start();
    let exhausted = false;
    const served: GenInstance = {
      next(ctx) {
        if (exhausted) return EXHAUSTED;
        if (!mine(ctx)) return PENDING;
        const answer = instance.next(adapt(ctx));
        if (answer.type === 'exhausted') exhausted = true;
        return answer;
      },
    };
    // Only when `g` listens: the runner skips building a completion for a generator without `update`.
    if (instance.update !== undefined) {
      served.update = (c, ctx) => {
        if (mine(c)) instance.update?.(c, adapt(ctx));
      };
    }
    return served;
  });
}

/** `g` for client processes only. */
export function clients(g: GenLike): Generator {
  return only('clients', g, (ctx) => ctx);
}

/** `g` for the nemesis only; its random choices come from the `faults` stream, never `ops`. */
export function nemesis(g: GenLike): Generator {
  return only('nemesis', g, (ctx) => ({ ...ctx, rng: ctx.streams.stream('faults') }));
}

/**
 * A separate copy of `g` for each client process. A process that replaces one whose
 * operation ended `info` starts a fresh copy (its predecessor's state died with it).
 * Exhausted once the copies of all current processes are.
 */
export function eachProcess(g: GenLike): Generator {
  const inner = lift(g);
  return clients(
    generator(() => {
      const copies = new Map<number, GenInstance>();
      const done = new Set<number>();
      return {
        next(ctx) {
          const pid = ctx.process as number;
          if (done.has(pid)) return ctx.workers.every((p) => done.has(p)) ? EXHAUSTED : PENDING;
          let copy = copies.get(pid);
          if (copy === undefined) {
            copy = inner.start();
            copies.set(pid, copy);
          }
          const answer = copy.next(ctx);
          if (answer.type !== 'exhausted') return answer;
          done.add(pid);
          copies.delete(pid);
          return ctx.workers.every((p) => done.has(p)) ? EXHAUSTED : PENDING;
        },
        update(c, ctx) {
          if (typeof c.process !== 'number') return;
          copies.get(c.process)?.update?.(c, ctx);
          // After `info` that process id is never used again.
          if (c.type === 'info') copies.delete(c.process);
        },
      };
    }),
  );
}
