import { InputError } from '../../errors.js';
import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import type { Operation } from '../../history/operation.js';
import { key, sample } from './elements.js';
import type { Verdict } from '../verdict.js';
import { type StreamQueueResult, checkStreamQueue, isStreamHistory } from './stream.js';

export { QUEUE_CLAIM, type StreamDelivery, type StreamQueueResult, checkStreamQueue, isStreamHistory } from './stream.js';
export { type FifoResult, type FifoViolation, checkFifo } from './fifo.js';

/** The operation names the queue checker reads. */
export const QUEUE_ENQUEUE = 'enqueue';
export const QUEUE_DEQUEUE = 'dequeue';
/** Dequeues everything left, in one transaction: the final phase. */
export const QUEUE_DRAIN = 'drain';

export interface QueueResult {
  verdict: Verdict;
  explanation: string;
  enqueues: { attempted: number; acknowledged: number; indeterminate: number };
  dequeued: number;
  /** Acknowledged enqueues that never came out, beyond what dequeues of unknown outcome may have taken. */
  lost: Json[];
  /** Came out, but nobody tried to enqueue them. */
  unexpected: Json[];
  /** Came out more than once. */
  duplicated: Json[];
  /** Enqueues of unknown outcome that came out: they happened. */
  recovered: number;
  /** Acknowledged enqueues not seen again that dequeues of unknown outcome may have taken (not counted as lost). */
  possiblyTaken: number;
}


/**
 * Jepsen's total-queue check: what goes in must come out, once. Every dequeued element
 * must have been enqueued (attempted), none may come out twice, and after a final drain
 * every acknowledged enqueue must have come out — except as many as the dequeues whose
 * outcome is unknown may have taken unseen (each takes at most one; a drain of unknown
 * outcome may have taken all, and then loss cannot be told). A stream queue's history
 * (src/checker/queue/stream.ts) is checked under at-least-once delivery instead. Pure.
 */
export function checkQueue(ops: readonly Operation[], file = 'history'): QueueResult | StreamQueueResult {
  // A stream queue's history (claims, deliveries with entry ids) promises at-least-once.
  return isStreamHistory(ops) ? checkStreamQueue(ops) : checkTotalQueue(ops, file);
}

/** Exactly-once total queue (lists and the conditional-store queues). */
export function checkTotalQueue(ops: readonly Operation[], file = 'history'): QueueResult {
  // A drain returns what it took, a list: anything else read as "took nothing" would vouch for nothing lost.
  const badDrain = ops.find((o) => o.f === QUEUE_DRAIN && o.type === 'ok' && o.output !== null && !Array.isArray(o.output));
  if (badDrain !== undefined) {
    const shown = exactJsonText(badDrain.output);
    throw new InputError(file, undefined, `event ${badDrain.completeIndex} (process ${badDrain.process}): a drain returns the list of elements it took, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`, 'pick the --workload or --model that matches the history');
  }
  const enqueues = ops.filter((o) => o.f === QUEUE_ENQUEUE);
  const attempted = new Set(enqueues.map((o) => key(o.input)));
  const acknowledged = enqueues.filter((o) => o.type === 'ok');
  const out = new Map<string, { value: Json; times: number }>();
  const take = (v: Json): void => {
    const k = key(v);
    const seen = out.get(k);
    if (seen === undefined) out.set(k, { value: v, times: 1 });
    else seen.times++;
  };
  for (const o of ops) {
    if (o.type !== 'ok') continue;
    if (o.f === QUEUE_DEQUEUE && o.output !== null) take(o.output);
    if (o.f === QUEUE_DRAIN && Array.isArray(o.output)) for (const v of o.output) take(v);
  }
  const unknownDequeues = ops.filter((o) => o.f === QUEUE_DEQUEUE && o.type === 'info').length;
  const unknownDrain = ops.some((o) => o.f === QUEUE_DRAIN && o.type === 'info');
  const drained = ops.some((o) => o.f === QUEUE_DRAIN && o.type === 'ok');

  const unexpected = [...out.values()].filter((x) => !attempted.has(key(x.value))).map((x) => x.value);
  const duplicated = [...out.values()].filter((x) => x.times > 1).map((x) => x.value);
  const missing = acknowledged.filter((o) => !out.has(key(o.input))).map((o) => o.input);
  const possiblyTaken = unknownDrain ? missing.length : Math.min(missing.length, unknownDequeues);
  const lost = possiblyTaken === missing.length ? [] : missing;
  const recovered = enqueues.filter((o) => o.type === 'info' && out.has(key(o.input))).length;

  const wrong = lost.length + unexpected.length + duplicated.length;
  const verdict: Verdict = wrong > 0 ? 'invalid' : !drained || (unknownDrain && missing.length > 0) ? 'unknown' : 'valid';
  return {
    verdict,
    explanation: explain(verdict, { lost, unexpected, duplicated, acknowledged: acknowledged.length, dequeued: out.size, possiblyTaken, drained, unknownDrain }),
    enqueues: { attempted: enqueues.length, acknowledged: acknowledged.length, indeterminate: enqueues.filter((o) => o.type === 'info').length },
    dequeued: out.size,
    lost,
    unexpected,
    duplicated,
    recovered,
    possiblyTaken,
  };
}

function explain(
  verdict: Verdict,
  r: { lost: Json[]; unexpected: Json[]; duplicated: Json[]; acknowledged: number; dequeued: number; possiblyTaken: number; drained: boolean; unknownDrain: boolean },
): string {
  if (verdict === 'valid') {
    const taken = r.possiblyTaken === 0 ? '' : ` (${r.possiblyTaken} more may have been taken by dequeues whose outcome is unknown)`;
    return `every one of the ${r.acknowledged} acknowledged enqueues came out exactly once${taken}; ${r.dequeued} elements dequeued in all.`;
  }
  if (verdict === 'unknown') {
    return r.drained ? 'a drain of unknown outcome may have taken the elements not seen again, so loss cannot be told' : 'no final drain completed, so what stayed in the queue is unknown';
  }
  const parts: string[] = [];
  if (r.lost.length > 0) parts.push(`${r.lost.length} acknowledged enqueues never came out (${sample(r.lost)}), more than the ${r.possiblyTaken} dequeues of unknown outcome could have taken`);
  if (r.unexpected.length > 0) parts.push(`${r.unexpected.length} elements came out that nobody enqueued (${sample(r.unexpected)})`);
  if (r.duplicated.length > 0) parts.push(`${r.duplicated.length} elements came out more than once (${sample(r.duplicated)})`);
  return `${parts.join('; ')}.`;
}
