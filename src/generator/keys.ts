import type { Json, Key } from '../history/event.js';
import { type GenLike, limit, lift } from './basic.js';
import { clients } from './routing.js';
import { EXHAUSTED, PENDING, type Generator, type GenInstance, emit, generator } from './types.js';

export interface PerKeyOptions {
  /** Client workers per key group: each group works on one key at a time. */
  threadsPerKey: number;
  /** The generator for one key (a fresh one per key); its operations get `key` set. */
  gen: (key: Key) => GenLike;
  /** Operations per key (a `limit` around `gen`); leave out when `gen` is finite. */
  opsPerKey?: number;
  /** Keys in the order groups take them; 0, 1, 2, … by default. */
  keys?: Iterable<Key>;
}

function* naturals(): IterableIterator<number> {
  for (let i = 0; ; i++) yield i;
}

/**
 * Independent keys: client workers are split into groups of `threadsPerKey` (the last
 * group takes the leftover workers); a group runs a fresh `gen(key)` on one key until it
 * is exhausted, then takes the next key. At most ⌊concurrency / threadsPerKey⌋ keys are
 * live at once and each key sees a bounded number of operations, so each key's history
 * stays small enough to check however long the run.
 */
export function perKey(options: PerKeyOptions): Generator {
  const { threadsPerKey, opsPerKey } = options;
  if (!Number.isInteger(threadsPerKey) || threadsPerKey < 1) {
    throw new RangeError(`perKey: threadsPerKey must be a positive integer, got ${threadsPerKey}`);
  }
  const forKey = (key: Key): Generator => {
    const g = options.gen(key);
    return opsPerKey === undefined ? lift(g) : limit(opsPerKey, g);
  };
  return clients(
    generator(() => {
      const keys = (options.keys ?? naturals())[Symbol.iterator]();
      const groups: ({ key: Key; instance: GenInstance } | 'done' | undefined)[] = [];
      const take = (): { key: Key; instance: GenInstance } | 'done' => {
        const r = keys.next();
        return r.done === true ? 'done' : { key: r.value, instance: forKey(r.value).start() };
      };
      const groupCount = (concurrency: number): number => Math.max(1, Math.floor(concurrency / threadsPerKey));
      const groupOf = (thread: number, concurrency: number): number =>
        Math.min(Math.floor(thread / threadsPerKey), groupCount(concurrency) - 1);
      const allDone = (concurrency: number): boolean => {
        for (let g = 0; g < groupCount(concurrency); g++) if (groups[g] !== 'done') return false;
        return true;
      };
      return {
        next(ctx) {
          const group = groupOf(ctx.thread as number, ctx.workers.length);
          let state = (groups[group] ??= take());
          // One fresh key per ask at most: a generator that is exhausted on every fresh key ends the group.
          for (let fresh = false; state !== 'done'; fresh = true) {
            const answer = state.instance.next(ctx);
            if (answer.type === 'op') return emit({ ...answer.op, key: state.key });
            if (answer.type === 'pending') return answer;
            state = groups[group] = fresh ? 'done' : take();
          }
          return allDone(ctx.workers.length) ? EXHAUSTED : PENDING;
        },
        update(c, ctx) {
          if (typeof c.thread !== 'number') return;
          // A late completion for a key the group has already left goes nowhere: that key's generator is gone.
          const state = groups[groupOf(c.thread, ctx.workers.length)];
          if (state !== undefined && state !== 'done' && state.key === c.op.key) state.instance.update?.(c, ctx);
        },
      };
    }),
  );
}

/** Numbers first, ascending, then strings: a replayable order whatever order keys were first used in. */
function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One operation per key used so far in the run (`ctx.keys`, taken when first asked), for
 * client processes: e.g. `overKeys((key) => ({ f: 'read', value: null, key }))` as the final
 * phase after faults heal.
 */
export function overKeys(makeOp: (key: Key) => { f: string; value: Json }): Generator {
  return clients(
    generator(() => {
      let todo: Key[] | undefined;
      let i = 0;
      return {
        next(ctx) {
          todo ??= [...ctx.keys].sort(compareKeys);
          const key = todo[i];
          if (key === undefined) return EXHAUSTED;
          i++;
          return emit({ ...makeOp(key), key });
        },
      };
    }),
  );
}
