import { QUEUE_DEQUEUE, QUEUE_DRAIN, QUEUE_ENQUEUE, checkFifo, checkTotalQueue } from '../src/checker/queue/index.js';
import { faultIntervals } from '../src/history/faults.js';
import { pairHistory } from '../src/history/operation.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import { pacedClientOps } from './register.js';
import { untilOk } from './until-ok.js';
import { type Workload, need, toJson } from './workload.js';

export const QUEUE_DEQUEUE_SHARE = 0.4;
/** Enqueued elements are unique (0, 1, 2, … across processes), at most this many. */
export const MAX_QUEUE_ELEMENTS = 5_000;

/**
 * Enqueues of unique elements and dequeues, then a drain of whatever is left once the
 * faults heal. Checked as Jepsen's total queue: nothing acknowledged lost, nothing out
 * that never went in, nothing out twice; and as a FIFO queue: nothing out ahead of an
 * element certainly enqueued before it.
 */
export const queueWorkload: Workload = {
  name: 'queue',
  summary: 'enqueue unique elements, dequeue, drain at the end; lost / unexpected / duplicated elements, FIFO order',
  needs: ['queue'],

  generator: (o) =>
    pacedClientOps(o.opIntervalMs, () => {
      let next = 0;
      const op = (ctx: GenContext): OpRequest =>
        next >= MAX_QUEUE_ELEMENTS || ctx.rng.float() < QUEUE_DEQUEUE_SHARE ? { f: QUEUE_DEQUEUE, value: null } : { f: QUEUE_ENQUEUE, value: next++ };
      return op;
    }),

  final: () => untilOk({ f: QUEUE_DRAIN, value: null }),

  async invoke(caps, op, call) {
    const queue = need(caps, 'queue');
    switch (op.f) {
      case QUEUE_ENQUEUE:
        await queue.enqueue(op.value, call);
        return { type: 'ok', value: op.value };
      case QUEUE_DEQUEUE:
        return { type: 'ok', value: await queue.dequeue(call) };
      case QUEUE_DRAIN:
        return { type: 'ok', value: await queue.drain(call) };
      default:
        throw new Error(`queue workload: unknown operation "${op.f}"`);
    }
  },

  // Every system's recipe here is a FIFO queue (one list under compare-and-set, or a Redis
  // list: RPUSH at the tail, LPOP at the head), so order is checked too.
  async check(history) {
    const { ops } = pairHistory(history, 'history.jsonl');
    const total = checkTotalQueue(ops, 'history.jsonl');
    const fifo = checkFifo(ops, faultIntervals(history));
    return [
      { checker: 'queue', verdict: total.verdict, details: toJson(total) },
      { checker: 'queue-fifo', verdict: fifo.verdict, details: toJson(fifo) },
    ];
  },
};
