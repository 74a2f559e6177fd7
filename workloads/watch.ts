import { WATCH_PUT, WATCH_WATCH, checkWatch } from '../src/checker/watch/index.js';
import type { Json } from '../src/history/event.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import { pacedClientOps } from './register.js';
import { untilOk } from './until-ok.js';
import { type Workload, type WorkloadOptions, need, toJson } from './workload.js';

export const WATCH_KEYS = 5;
const WATCH_KEY_NAMES = Array.from({ length: WATCH_KEYS }, (_, i) => `k${i}`);
/** Share of operations that are watch windows (the rest are puts). */
export const WATCH_SHARE = 0.3;
export const WATCH_WINDOW_MS = 500;
/** The final replay from revision 1: long enough to deliver thousands of events. */
export const FINAL_WINDOW_MS = 3_000;

/** A window that ends well inside the operation's timeout (which would make it `info`). */
function windowOf(ms: number, o: WorkloadOptions): number {
  return Math.max(50, Math.min(ms, Math.floor((o.opTimeoutMs ?? 5_000) * 0.6)));
}
/** Put values are unique (0, 1, 2, … across processes), at most this many. */
export const MAX_WATCH_VALUES = 20_000;

/**
 * Puts of unique values (one key, or two at once in one transaction) and watch windows. On
 * etcd each window resumes from where the connection's previous one stopped, then a final
 * replay of everything once the faults heal, checked against etcd's watch guarantees. On
 * ZooKeeper (one-shot watches re-registered) and Consul (blocking queries) a window follows
 * every key's state, checked against what those promise (src/checker/watch/state.ts).
 */
export const watchWorkload: Workload = {
  name: 'watch',
  summary: 'puts (one or two keys at one revision) and watch windows: etcd streams (ordered, atomic, reliable, resumable), ZooKeeper one-shot watches, Consul blocking queries',
  needs: ['watch'],

  generator: (o) =>
    pacedClientOps(o.opIntervalMs, () => {
      let next = 0;
      const key = (ctx: GenContext): string => `k${ctx.rng.int(0, WATCH_KEYS - 1)}`;
      const op = (ctx: GenContext): OpRequest => {
        if (next >= MAX_WATCH_VALUES || ctx.rng.float() < WATCH_SHARE) return { f: WATCH_WATCH, value: { windowMs: windowOf(WATCH_WINDOW_MS, o) } };
        const first = key(ctx);
        const pairs: Json[] = [[first, next++]];
        const second = key(ctx);
        if (ctx.rng.float() < 0.3 && second !== first) pairs.push([second, next++]);
        return { f: WATCH_PUT, value: pairs };
      };
      return op;
    }),

  final: (o) => untilOk({ f: WATCH_WATCH, value: { windowMs: windowOf(FINAL_WINDOW_MS, o), fromStart: true } }),

  async invoke(caps, op, call) {
    const watch = need(caps, 'watch');
    switch (op.f) {
      case WATCH_PUT: {
        const pairs = (op.value as [string, Json][]).map(([k, v]) => [k, v] as const);
        return { type: 'ok', value: await watch.put(pairs, call) };
      }
      case WATCH_WATCH: {
        const { windowMs, fromStart } = op.value as { windowMs: number; fromStart?: boolean };
        // ZooKeeper and Consul follow each key's state (no replay to ask for): the final window is one more window.
        if (watch.style === 'state') return { type: 'ok', value: toJson(await watch.watch(windowMs, WATCH_KEY_NAMES, call)) };
        return { type: 'ok', value: toJson(await watch.watch(windowMs, fromStart === true, call)) };
      }
      default:
        throw new Error(`watch workload: unknown operation "${op.f}"`);
    }
  },

  async check(history) {
    const result = checkWatch(history);
    return [{ checker: 'watch', verdict: result.verdict, details: toJson(result) }];
  },
};
