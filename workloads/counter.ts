import { COUNTER_ADD, COUNTER_READ, checkCounter } from '../src/checker/counter/index.js';
import { pairHistory } from '../src/history/operation.js';
import { fn } from '../src/generator/basic.js';
import { clients } from '../src/generator/routing.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import { paced } from './register.js';
import { untilOk } from './until-ok.js';
import { type Workload, need, toJson } from './workload.js';

/** Increments are 1 … MAX_DELTA (mostly 1), so a double-counted add shows as a read above its bound. */
export const MAX_DELTA = 5;
export const COUNTER_READ_SHARE = 0.25;

/** One add (of 1, or now and then a small delta) or read, drawn from the `ops` stream. */
export function counterOp(ctx: GenContext): OpRequest {
  if (ctx.rng.float() < COUNTER_READ_SHARE) return { f: COUNTER_READ, value: null };
  return { f: COUNTER_ADD, value: ctx.rng.float() < 0.5 ? 1 : ctx.rng.int(1, MAX_DELTA) };
}

/**
 * Increments and reads of one counter (Redis INCRBY; etcd, Consul and ZooKeeper through
 * compare-and-set), then a final read after the faults heal. Every read must lie between
 * the adds certainly done before it and the adds possibly done by its end.
 */
export const counterWorkload: Workload = {
  name: 'counter',
  summary: 'increments and reads of one counter, each read checked against the bounds the adds allow',
  needs: ['counter'],

  generator: (o) => clients(paced(o.opIntervalMs, fn(counterOp))),

  final: () => untilOk({ f: COUNTER_READ, value: null }),

  async invoke(caps, op, call) {
    const counter = need(caps, 'counter');
    switch (op.f) {
      case COUNTER_ADD:
        await counter.add(op.value as number, call);
        return { type: 'ok', value: op.value };
      case COUNTER_READ:
        return { type: 'ok', value: await counter.read(call) };
      default:
        throw new Error(`counter workload: unknown operation "${op.f}"`);
    }
  },

  async check(history) {
    const result = checkCounter(pairHistory(history, 'history.jsonl').ops, 'history.jsonl');
    return [{ checker: 'counter', verdict: result.verdict, details: toJson(result) }];
  },
};
