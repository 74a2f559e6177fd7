import { InputError } from '../../errors.js';
import type { Json } from '../../history/event.js';
import { describeFault, type FaultInterval, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import { show, valueKey } from '../txn/transactions.js';
import type { Verdict } from '../verdict.js';

/**
 * Jepsen's "comments" check (from its CockroachDB tests): blind inserts of unique ids, and
 * reads that return every id visible. Strict serializability orders a write that completed
 * before another began ahead of it, so a read that sees the later write must see the
 * earlier one. A read is judged by the visible write that began last: every write
 * acknowledged before that one was invoked must be visible too.
 *
 * Honest about unknown outcomes: a visible write of unknown outcome happened (it counts as
 * a witness); one never acknowledged is never required; a visible write that certainly
 * failed, or an id nobody wrote, is a read of something that never happened.
 */

export const COMMENTS_WRITE = 'write';
export const COMMENTS_READ = 'read';

export interface CommentsAnomaly {
  kind: 'missing' | 'aborted-read' | 'garbage-read';
  /** The read's completion event. */
  readIndex: number;
  process: number;
  explanation: string;
}

export interface CommentsResult {
  verdict: Verdict;
  explanation: string;
  writes: { attempted: number; acknowledged: number; failed: number; indeterminate: number };
  reads: number;
  badReads: number;
  /** The first bad reads, in history order. */
  anomalies: CommentsAnomaly[];
}

export interface CommentsOptions {
  file?: string;
  faults?: readonly FaultInterval[];
  /** Bad reads explained (all are counted). Default 8. */
  maxReported?: number;
}

/** The ids a sentence lists before it says "and N more". */
const LISTED = 5;

export function checkComments(ops: readonly Operation[], options: CommentsOptions = {}): CommentsResult {
  const file = options.file ?? 'history';
  const faults = options.faults ?? [];
  const maxReported = options.maxReported ?? 8;
  const writes = ops.filter((o) => o.f === COMMENTS_WRITE);
  const byId = new Map<string | number | bigint | boolean | null, Operation>();
  for (const w of writes) {
    const id = idOf(w.input, w.invokeIndex, file);
    const before = byId.get(id);
    if (before !== undefined) {
      throw new InputError(file, undefined, `event ${w.invokeIndex}: id ${show(w.input)} is written again (first at event ${before.invokeIndex}); the comments check needs unique ids`);
    }
    byId.set(id, w);
  }
  // Acknowledged writes by completion time: those acknowledged before a time t are a prefix.
  const acked = writes.filter((w) => w.type === 'ok').sort((a, b) => a.ret - b.ret);
  const ackedBefore = (t: number): number => {
    let lo = 0;
    let hi = acked.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (acked[mid]!.ret < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const reads = ops.filter((o) => o.f === COMMENTS_READ && o.type === 'ok');
  // A history without times (Jepsen's may have none) has its event indices as times: say no time then.
  const at = ops.some((o) => o.call !== o.invokeIndex) ? (ns: number) => ` at ${(ns / 1e9).toFixed(2)} s` : () => '';
  const anomalies: CommentsAnomaly[] = [];
  let badReads = 0;
  for (const r of reads) {
    if (!Array.isArray(r.output)) {
      throw new InputError(file, undefined, `event ${r.completeIndex}: a comments read returns the list (or set) of visible ids, got ${show(r.output)}`);
    }
    const visible = new Set(r.output.map((v) => idOf(v, r.completeIndex, file)));
    const bad = judgeRead(visible, byId, acked, ackedBefore, at);
    if (bad === undefined) continue;
    badReads++;
    if (anomalies.length < maxReported) anomalies.push({ ...bad, readIndex: r.completeIndex, process: r.process, explanation: sentence(r, bad.text, faults, at) });
  }

  const counts = {
    attempted: writes.length,
    acknowledged: acked.length,
    failed: writes.filter((w) => w.type === 'fail').length,
    indeterminate: writes.filter((w) => w.type === 'info').length,
  };
  const verdict: Verdict = badReads > 0 ? 'invalid' : reads.length === 0 ? 'unknown' : 'valid';
  const explanation =
    verdict === 'invalid'
      ? `${badReads} of ${reads.length} reads ${badReads === 1 ? 'is' : 'are'} not strictly serializable; the first: ${anomalies[0]!.explanation}`
      : verdict === 'unknown'
        ? 'no read completed, so nothing was observed to check'
        : `every one of ${reads.length} reads that saw a write also saw each write acknowledged before that one began (${acked.length} acknowledged writes)`;
  return { verdict, explanation, writes: counts, reads: reads.length, badReads, anomalies };
}

interface BadRead {
  kind: CommentsAnomaly['kind'];
  text: string;
}

function judgeRead(
  visible: ReadonlySet<string | number | bigint | boolean | null>,
  byId: ReadonlyMap<string | number | bigint | boolean | null, Operation>,
  acked: readonly Operation[],
  ackedBefore: (t: number) => number,
  at: (ns: number) => string,
): BadRead | undefined {
  // The witness: the visible write invoked last. Writes acknowledged before it began precede it.
  let witness: Operation | undefined;
  for (const id of visible) {
    const w = byId.get(id);
    if (w === undefined) return { kind: 'garbage-read', text: `id ${show(id)}, which no write wrote` };
    if (w.type === 'fail') return { kind: 'aborted-read', text: `id ${show(id)}, whose write by p${w.process} (history index ${w.completeIndex}) failed` };
    if (witness === undefined || w.call > witness.call) witness = w;
  }
  if (witness === undefined) return undefined;
  const required = ackedBefore(witness.call);
  // Usually every required write is visible: count them in the read rather than walk them.
  let seen = 0;
  for (const id of visible) {
    const w = byId.get(id)!;
    if (w.type === 'ok' && w.ret < witness.call) seen++;
  }
  if (seen === required) return undefined;
  const missing = acked.slice(0, required).filter((w) => !visible.has(valueKey(w.input)));
  const first = missing[0]!;
  const listed = missing.slice(0, LISTED).map((w) => show(w.input)).join(', ');
  const more = missing.length > LISTED ? ` and ${missing.length - LISTED} more` : '';
  return {
    kind: 'missing',
    text:
      `id ${show(witness.input)} (written by p${witness.process}: history index ${witness.invokeIndex}${at(witness.call) && `, invoked${at(witness.call)}`}) ` +
      `but not ${listed}${more}, although ${missing.length === 1 ? 'that write was' : 'those writes were'} acknowledged before it began ` +
      `(${show(first.input)} by p${first.process}: history index ${first.completeIndex}${at(first.ret) && `, acknowledged${at(first.ret)}`})`,
  };
}

function sentence(r: Operation, what: string, faults: readonly FaultInterval[], at: (ns: number) => string): string {
  const from = r.node === undefined ? '' : ` from ${r.node}`;
  const active = faultsDuring(faults, r.call, r.ret);
  const during = active.length === 0 ? 'with no fault in effect' : `while ${active.map(describeFault).join(' and ')} was in effect`;
  return `p${r.process} read ${Array.isArray(r.output) ? r.output.length : 0} ids${from}${at(r.ret)} (history index ${r.completeIndex}) ${during}: it saw ${what}.`;
}

function idOf(v: Json, event: number, file: string): string | number | bigint | boolean | null {
  if (v === null || (typeof v === 'object' && !Array.isArray(v)) || Array.isArray(v)) {
    throw new InputError(file, undefined, `event ${event}: a comments id must be a number or a string, got ${show(v)}`);
  }
  return valueKey(v);
}
