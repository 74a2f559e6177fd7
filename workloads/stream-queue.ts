import { QUEUE_CLAIM, QUEUE_DEQUEUE, QUEUE_DRAIN, QUEUE_ENQUEUE, type StreamDelivery, checkStreamQueue } from '../src/checker/queue/index.js';
import { pairHistory } from '../src/history/operation.js';
import type { Json } from '../src/history/event.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import type { CallOptions, StreamEntry, StreamQueueCapability } from '../src/runner/capabilities.js';
import { MAX_QUEUE_ELEMENTS } from './queue.js';
import { pacedClientOps } from './register.js';
import { untilOk } from './until-ok.js';
import { type Workload, need, toJson } from './workload.js';

export const STREAM_DEQUEUE_SHARE = 0.4;
export const STREAM_CLAIM_SHARE = 0.1;
/** Share of dequeues and claims whose consumer "crashes" after receiving, before acknowledging. */
export const STREAM_CRASH_SHARE = 0.1;
/** A claim takes over entries pending at least this long (their consumer is presumed dead). */
export const STREAM_CLAIM_IDLE_MS = 1_000;
export const STREAM_CLAIM_COUNT = 10;
const DRAIN_BATCH = 200;

/**
 * A queue with acknowledgements on a stream and a consumer group (Redis streams): enqueue
 * (XADD), dequeue (XREADGROUP `>` of one entry, then XACK), claim (XAUTOCLAIM of entries
 * idle past STREAM_CLAIM_IDLE_MS, then XACK each). Some dequeues and claims skip the ack —
 * a consumer crashing between receiving and acking — and leave the entry pending for a
 * claim. A final drain claims and reads everything left. Checked as a total queue under
 * at-least-once delivery (src/checker/queue/stream.ts).
 */
export const streamQueueWorkload: Workload = {
  name: 'stream-queue',
  summary: 'enqueue, dequeue + ack, claim what crashed consumers left pending, drain; at-least-once total queue and entry-id order',
  needs: ['stream'],

  generator: (o) =>
    pacedClientOps(o.opIntervalMs, () => {
      let next = 0;
      const op = (ctx: GenContext): OpRequest => {
        const r = ctx.rng.float();
        const ack = ctx.rng.float() >= STREAM_CRASH_SHARE;
        if (r < STREAM_CLAIM_SHARE) return { f: QUEUE_CLAIM, value: { minIdleMs: STREAM_CLAIM_IDLE_MS, count: STREAM_CLAIM_COUNT, ack } };
        if (next >= MAX_QUEUE_ELEMENTS || r < STREAM_CLAIM_SHARE + STREAM_DEQUEUE_SHARE) return { f: QUEUE_DEQUEUE, value: { ack } };
        return { f: QUEUE_ENQUEUE, value: next++ };
      };
      return op;
    }),

  final: () => untilOk({ f: QUEUE_DRAIN, value: null }),

  async invoke(caps, op, call) {
    const stream = need(caps, 'stream');
    switch (op.f) {
      case QUEUE_ENQUEUE:
        return { type: 'ok', value: await stream.enqueue(op.value, call) };
      case QUEUE_DEQUEUE: {
        const [entry] = await stream.read(1, call);
        if (entry === undefined) return { type: 'ok', value: null };
        return { type: 'ok', value: toJson((await delivered(stream, [entry], 'new', acks(op.value), call))[0]) };
      }
      case QUEUE_CLAIM: {
        const entries = await stream.claim(STREAM_CLAIM_IDLE_MS, STREAM_CLAIM_COUNT, call);
        return { type: 'ok', value: toJson(await delivered(stream, entries, 'claimed', acks(op.value), call)) };
      }
      case QUEUE_DRAIN:
        return { type: 'ok', value: toJson(await drain(stream, call)) };
      default:
        throw new Error(`stream-queue workload: unknown operation "${op.f}"`);
    }
  },

  async check(history) {
    const result = checkStreamQueue(pairHistory(history, 'history.jsonl').ops);
    return [{ checker: 'stream-queue', verdict: result.verdict, details: toJson(result) }];
  },
};

function acks(input: Json): boolean {
  return !(input !== null && typeof input === 'object' && !Array.isArray(input) && input['ack'] === false);
}

/**
 * The entries received, each acknowledged on its own (unless the consumer "crashes"): the
 * delivery is known whatever the ack does, so an ack that errs leaves `acked: null` rather
 * than turning the whole operation — and what it received — into `info`.
 */
async function delivered(stream: StreamQueueCapability, entries: readonly StreamEntry[], via: StreamDelivery['via'], ack: boolean, call: CallOptions): Promise<StreamDelivery[]> {
  const out: StreamDelivery[] = [];
  for (const e of entries) {
    let acked: boolean | null = false;
    if (ack) {
      try {
        acked = (await stream.ack([e.id], call)) === 1;
      } catch {
        acked = null;
      }
    }
    out.push({ id: e.id, value: e.value, acked, via });
  }
  return out;
}

/**
 * Everything still pending (claimed at once, whatever its idle time), then everything never
 * delivered, each batch acknowledged; any error makes the drain `info` and the next attempt
 * claims what this one left pending.
 */
async function drain(stream: StreamQueueCapability, call: CallOptions): Promise<StreamDelivery[]> {
  const out: StreamDelivery[] = [];
  const take = async (entries: readonly StreamEntry[], via: StreamDelivery['via']): Promise<boolean> => {
    if (entries.length === 0) return false;
    const n = await stream.ack(
      entries.map((e) => e.id),
      call,
    );
    // Fewer acknowledged than sent: some were acked by someone else meanwhile, which ones is not known.
    for (const e of entries) out.push({ id: e.id, value: e.value, acked: n === entries.length ? true : null, via });
    return true;
  };
  while (await take(await stream.claim(0, DRAIN_BATCH, call), 'claimed'));
  while (await take(await stream.read(DRAIN_BATCH, call), 'new'));
  return out;
}
