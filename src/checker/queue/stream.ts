import { InputError } from '../../errors.js';
import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import type { Operation } from '../../history/operation.js';
import { SHOWN, key, sample } from './elements.js';
import type { Verdict } from '../verdict.js';

/** Takes over entries left pending too long by other consumers: the at-least-once redelivery. */
export const QUEUE_CLAIM = 'claim';
const ENQUEUE = 'enqueue';
const DEQUEUE = 'dequeue';
const DRAIN = 'drain';

/**
 * One entry handed to a consumer, as the stream queue records it in the output of a
 * dequeue (one or null), claim or drain (a list): `acked` true when its XACK answered that
 * it acknowledged it, false when it was not acknowledged by this delivery (the consumer
 * "crashed" before acking, or someone else had acked it first), null when the ack's outcome is unknown.
 */
export interface StreamDelivery {
  id: string;
  value: Json;
  acked: boolean | null;
  /** `new`: read as never delivered before (`>`); `claimed`: taken over while pending. */
  via: 'new' | 'claimed';
}

export interface StreamQueueResult {
  verdict: Verdict;
  explanation: string;
  delivery: 'at-least-once';
  enqueues: { attempted: number; acknowledged: number; indeterminate: number };
  /** Distinct elements delivered, and deliveries in all (redeliveries included). */
  delivered: number;
  deliveries: number;
  /** Deliveries of an entry whose earlier delivery was not (known to be) acknowledged: allowed. */
  redelivered: number;
  /** Acknowledged enqueues never delivered, beyond what dequeues/claims of unknown outcome may have taken and acked. */
  lost: Json[];
  /** Delivered, but nobody tried to enqueue them (or under another entry id than their enqueue got). */
  unexpected: Json[];
  /** Delivered again after an earlier delivery's acknowledgement had completed. */
  duplicated: { value: Json; ackedBy: number; redeliveredBy: number }[];
  /** Pairs out of entry-id order: an enqueue (or a `>` read) that finished before another began got the larger id. */
  unordered: { kind: 'enqueue' | 'read'; earlier: number; later: number; earlierId: string; laterId: string }[];
  /** Entries handed out as new (`>`) more than once — Redis's group cursor went back (not counted against at-least-once). */
  newTwice: number;
  possiblyTaken: number;
}


/** A history is a stream queue's when it claims, or its deliveries are records with entry ids. */
export function isStreamHistory(ops: readonly Operation[]): boolean {
  return ops.some((o) => o.f === QUEUE_CLAIM || (o.type === 'ok' && (o.f === DEQUEUE || o.f === DRAIN) && deliveriesOf(o).length > 0 && deliveriesOf(o).every((d) => d !== undefined)));
}

/**
 * Total queue under at-least-once delivery (Redis streams with a consumer group): every
 * delivered element was enqueued, under the id its enqueue got; every acknowledged enqueue
 * is delivered (after the final drain, which claims everything still pending); an element
 * is delivered again only while no earlier delivery of it had been acknowledged — a
 * redelivery that begins after an acknowledgement completed is a duplicate. Order: entry
 * ids follow real time for enqueues and for reads of new entries. Pure.
 */
export function checkStreamQueue(ops: readonly Operation[]): StreamQueueResult {
  const enqueues = ops.filter((o) => o.f === ENQUEUE);
  const acknowledged = enqueues.filter((o) => o.type === 'ok');
  const attempted = new Map<string, string | undefined>();
  for (const o of enqueues) attempted.set(key(o.input), o.type === 'ok' && typeof o.output === 'string' ? o.output : attempted.get(key(o.input)));

  const deliveries: { d: StreamDelivery; op: Operation }[] = [];
  for (const o of ops) {
    if (o.type !== 'ok' || (o.f !== DEQUEUE && o.f !== QUEUE_CLAIM && o.f !== DRAIN)) continue;
    for (const d of deliveriesOf(o)) {
      if (d === undefined) throw new InputError('history', undefined, `event ${o.completeIndex}: ${o.f} returned ${exactJsonText(o.output).slice(0, 120)}, not stream deliveries {id, value, acked, via}`, 'a stream queue history records every delivery as {id, value, acked, via}');
      deliveries.push({ d, op: o });
    }
  }
  const byValue = new Map<string, { d: StreamDelivery; op: Operation }[]>();
  for (const x of deliveries) {
    const k = key(x.d.value);
    const list = byValue.get(k);
    if (list === undefined) byValue.set(k, [x]);
    else list.push(x);
  }

  const unexpected: Json[] = [];
  const duplicated: StreamQueueResult['duplicated'] = [];
  let redelivered = 0;
  let newTwice = 0;
  for (const [k, list] of byValue) {
    const enqueuedId = attempted.get(k);
    if (!attempted.has(k) || (enqueuedId !== undefined && list.some((x) => x.d.id !== enqueuedId))) unexpected.push(list[0]!.d.value);
    if (list.filter((x) => x.d.via === 'new').length > 1) newTwice++;
    // The first acknowledgement to complete: any delivery that began after it is a duplicate.
    const acks = list.filter((x) => x.d.acked === true).sort((a, b) => a.op.ret - b.op.ret);
    const firstAck = acks[0];
    redelivered += list.length - 1;
    if (firstAck === undefined) continue;
    const again = list.find((x) => x !== firstAck && x.op.call > firstAck.op.ret);
    if (again !== undefined) duplicated.push({ value: again.d.value, ackedBy: firstAck.op.completeIndex, redeliveredBy: again.op.completeIndex });
  }
  redelivered -= duplicated.length;

  const unknownTakers = ops.filter((o) => o.type === 'info' && (o.f === DEQUEUE || o.f === QUEUE_CLAIM));
  const unknownDrain = ops.some((o) => o.f === DRAIN && o.type === 'info');
  const drained = ops.some((o) => o.f === DRAIN && o.type === 'ok');
  const missing = acknowledged.filter((o) => !byValue.has(key(o.input))).map((o) => o.input);
  // Each unknown dequeue may have read and acked one entry unseen; a claim as many as it asked for.
  const canTake = unknownTakers.reduce((n, o) => n + (o.f === DEQUEUE ? 1 : countOf(o.input)), 0);
  const possiblyTaken = unknownDrain ? missing.length : Math.min(missing.length, canTake);
  const lost = possiblyTaken === missing.length ? [] : missing;

  const unordered = [
    ...outOfOrder(
      acknowledged.filter((o) => typeof o.output === 'string' && parseId(o.output) !== undefined),
      (o) => o.output as string,
      'enqueue',
    ),
    ...outOfOrder(
      ops.filter((o) => o.type === 'ok' && o.f === DEQUEUE && deliveriesOf(o)[0]?.via === 'new'),
      (o) => deliveriesOf(o)[0]!.id,
      'read',
    ),
  ];

  const wrong = lost.length + unexpected.length + duplicated.length + unordered.length;
  const verdict: Verdict = wrong > 0 ? 'invalid' : !drained || (unknownDrain && missing.length > 0) ? 'unknown' : 'valid';
  const distinct = byValue.size;
  return {
    verdict,
    explanation: explain(verdict, { lost, unexpected, duplicated, unordered, acknowledged: acknowledged.length, distinct, deliveries: deliveries.length, redelivered, possiblyTaken, drained }),
    delivery: 'at-least-once',
    enqueues: { attempted: enqueues.length, acknowledged: acknowledged.length, indeterminate: enqueues.filter((o) => o.type === 'info').length },
    delivered: distinct,
    deliveries: deliveries.length,
    redelivered,
    lost,
    unexpected,
    duplicated,
    unordered,
    newTwice,
    possiblyTaken,
  };
}

/** The deliveries an ok dequeue/claim/drain recorded; `undefined` for one that is not a delivery record. */
function deliveriesOf(o: Operation): (StreamDelivery | undefined)[] {
  if (o.output === null) return [];
  const list = Array.isArray(o.output) ? o.output : [o.output];
  return list.map((x) => asDelivery(x));
}

function asDelivery(x: Json): StreamDelivery | undefined {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return undefined;
  const { id, value, acked, via } = x;
  if (typeof id !== 'string' || value === undefined || !(acked === true || acked === false || acked === null) || (via !== 'new' && via !== 'claimed')) return undefined;
  return { id, value, acked, via };
}

function countOf(input: Json): number {
  const n = input !== null && typeof input === 'object' && !Array.isArray(input) ? input['count'] : undefined;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 1;
}

/** `<ms>-<seq>` as one comparable number pair. */
function parseId(id: string): [bigint, bigint] | undefined {
  const m = /^(\d+)-(\d+)$/.exec(id);
  return m === null ? undefined : [BigInt(m[1]!), BigInt(m[2]!)];
}

function idBefore(a: string, b: string): boolean {
  const x = parseId(a);
  const y = parseId(b);
  if (x === undefined || y === undefined) return true;
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
}

/**
 * Pairs where one operation finished before the other began yet did not get the smaller
 * id: a sweep in invocation order against the largest id among operations already finished.
 */
function outOfOrder(list: readonly Operation[], idOf: (o: Operation) => string, kind: 'enqueue' | 'read'): StreamQueueResult['unordered'] {
  const byCall = [...list].sort((a, b) => a.call - b.call);
  const byRet = [...list].sort((a, b) => a.ret - b.ret);
  const found: StreamQueueResult['unordered'] = [];
  let finished = 0;
  let largest: Operation | undefined;
  for (const o of byCall) {
    while (finished < byRet.length && byRet[finished]!.ret < o.call) {
      const f = byRet[finished++]!;
      if (largest === undefined || idBefore(idOf(largest), idOf(f))) largest = f;
    }
    if (largest !== undefined && !idBefore(idOf(largest), idOf(o))) {
      found.push({ kind, earlier: largest.completeIndex, later: o.invokeIndex, earlierId: idOf(largest), laterId: idOf(o) });
      if (found.length >= SHOWN) break;
    }
  }
  return found;
}

function explain(
  verdict: Verdict,
  r: {
    lost: Json[];
    unexpected: Json[];
    duplicated: StreamQueueResult['duplicated'];
    unordered: StreamQueueResult['unordered'];
    acknowledged: number;
    distinct: number;
    deliveries: number;
    redelivered: number;
    possiblyTaken: number;
    drained: boolean;
  },
): string {
  if (verdict === 'valid') {
    const taken = r.possiblyTaken === 0 ? '' : ` (${r.possiblyTaken} more may have been taken and acked by dequeues or claims whose outcome is unknown)`;
    return `every one of the ${r.acknowledged} acknowledged enqueues was delivered${taken}, none again after its acknowledgement; ${r.distinct} elements in ${r.deliveries} deliveries (${r.redelivered} redeliveries of unacknowledged entries, allowed at-least-once), entry ids in real-time order.`;
  }
  if (verdict === 'unknown') {
    return r.drained ? 'a drain of unknown outcome may have taken the elements not seen again, so loss cannot be told' : 'no final drain completed, so what stayed in the stream is unknown';
  }
  const parts: string[] = [];
  if (r.lost.length > 0) parts.push(`${r.lost.length} acknowledged enqueues were never delivered (${sample(r.lost)}), more than the ${r.possiblyTaken} that dequeues or claims of unknown outcome could have taken`);
  if (r.unexpected.length > 0) parts.push(`${r.unexpected.length} elements were delivered that nobody enqueued, or under another entry id (${sample(r.unexpected)})`);
  if (r.duplicated.length > 0) {
    const d = r.duplicated[0]!;
    parts.push(`${r.duplicated.length} elements were delivered again after their delivery had been acknowledged (${sample(r.duplicated.map((x) => x.value))}; e.g. ${exactJsonText(d.value)} acked by the operation completing at history index ${d.ackedBy}, redelivered by the one completing at ${d.redeliveredBy})`);
  }
  if (r.unordered.length > 0) {
    const u = r.unordered[0]!;
    parts.push(`entry ids out of real-time order (${r.unordered.length}${r.unordered.length >= SHOWN ? '+' : ''} pairs; e.g. the ${u.kind} completing at history index ${u.earlier} got ${u.earlierId}, the one invoked later at ${u.later} got ${u.laterId})`);
  }
  return `${parts.join('; ')}.`;
}
