import type { Json } from '../../../history/event.js';
import type { Decision, TimedOp } from '../model.js';
import { jsonKey } from './json.js';
import { type Ambiguous, OMITTED, chooseSources } from './sources.js';
import { zoneDecision } from './zones.js';

/** Conflict tests the search for the ambiguous reads' sources may make before giving up (undefined: search). */
const MAX_WORK = 20_000_000;

/**
 * Zones for a register whose written values repeat, when real time tells which write each
 * read read from. A read r of v reads from the last write before it in a linearization
 * (or the initial value if there is none), which must be a write of v that is not
 *  (a) certainly after r: invoked after r returned, nor
 *  (b) certainly overwritten before r: some write W' certainly took effect (ok, or info
 *      with `by`) invoked after it returned and returned before r was invoked — it comes
 *      after it and before r, so it is not the last one. The initial value is overwritten
 *      by any such W' that returned before r was invoked.
 * Giving each write of v its own value and each read its chosen candidate's changes no
 * linearization: every linearization of the history is one of the relabeled history for
 * the choice of its actual sources, and vice versa (erase the labels). A read with no
 * candidate is certainly invalid. Once relabeled, the values are distinct, an info write
 * no read was given may take effect last (dropped), one read is bounded by its first
 * reader's return (see info-ops.ts) — and the zones decide exactly. So the history is
 * linearizable iff some choice of candidates is: the reads with one candidate are tried
 * alone first (more reads only widen clusters, so a conflict there is final), then the
 * reads with two or more (concurrent writes of one value, an info write of a value
 * written again) are given theirs by a pruned search region by region (sources.ts).
 * Undefined (search instead) past MAX_WORK conflict tests, or for a read of a value
 * nobody wrote (the search explains that).
 */
export function relabeledZoneDecision(ops: readonly TimedOp[], init: Json): Decision | undefined {
  const writesOf = new Map<string | number, number[]>();
  let repeats = false;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f === 'read') continue;
    if (op.f !== 'write') return repeats ? undefined : zoneDecision(ops, init);
    const key = jsonKey(op.input);
    const list = writesOf.get(key);
    if (list === undefined) writesOf.set(key, [i]);
    else {
      list.push(i);
      repeats = true;
    }
  }
  const initKey = jsonKey(init);
  if (!repeats && !writesOf.has(initKey)) return zoneDecision(ops, init);
  // Labels are "\u0000" + a write's index: an initial value of that form could collide.
  if (ops.some((o) => o.f !== 'read' && o.f !== 'write') || (typeof init === 'string' && init.startsWith('\u0000'))) return undefined;

  // E(w): the earliest return of a certain write invoked after w returned (w is certainly
  // overwritten before any read invoked after that). Certain writes by call, suffix minimum of returns.
  const certain = ops.flatMap((o, i) => (o.f === 'write' && o.ret < Infinity ? [i] : [])).sort((a, b) => ops[a]!.call - ops[b]!.call);
  const suffixMin = new Float64Array(certain.length + 1).fill(Infinity);
  for (let k = certain.length - 1; k >= 0; k--) suffixMin[k] = Math.min(suffixMin[k + 1]!, ops[certain[k]!]!.ret);
  const overwrittenBy = (ret: number): number => {
    // First certain write invoked strictly after `ret`.
    let lo = 0;
    let hi = certain.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ops[certain[mid]!]!.call <= ret) lo = mid + 1;
      else hi = mid;
    }
    return suffixMin[lo]!;
  };
  const initOverwritten = suffixMin[0]!;
  const ends = new Float64Array(ops.length).fill(Infinity);
  for (const i of certain) ends[i] = overwrittenBy(ops[i]!.ret);

  /** The op whose value each op gets: itself for a write, its one candidate for a read (-1: the initial value). */
  const source = new Int32Array(ops.length);
  /** Reads with two or more candidates, and theirs (the initial value as -1). */
  const ambiguous: Ambiguous[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f === 'write') {
      source[i] = i;
      continue;
    }
    if (!op.known) return undefined;
    const key = jsonKey(op.output);
    const candidates: number[] = [];
    if (key === initKey && !(initOverwritten < op.call)) candidates.push(-1);
    for (const w of writesOf.get(key) ?? []) {
      if (ops[w]!.call > op.ret || ends[w]! < op.call) continue;
      candidates.push(w);
    }
    if (candidates.length > 1) ambiguous.push({ read: i, candidates: orderCandidates(ops, candidates) });
    const found = candidates.length === 0 ? -2 : candidates[0]!;
    if (found === -2) {
      // No write could be its source: certainly invalid. A value nobody wrote is left to the search's own explanation.
      const writes = writesOf.get(key);
      if (writes === undefined) return undefined;
      const last = writes.reduce((a, b) => (ops[b]!.call > ops[a]!.call ? b : a));
      return {
        valid: false,
        blocked: i,
        other: last,
        why: `every write of ${JSON.stringify(op.output)}${key === initKey ? ' (and the initial value)' : ''} was invoked after the read returned or was certainly overwritten before it was invoked (a write invoked after it returned completed before the read began)`,
      };
    }
    source[i] = found;
  }
  // The reads with one candidate alone: adding reads to a value's cluster only widens it,
  // so a conflict here is one whatever the ambiguous reads read.
  for (const a of ambiguous) source[a.read] = OMITTED;
  const fixed = decideRelabeled(ops, init, source);
  if (fixed === undefined || !fixed.valid || ambiguous.length === 0) return fixed;
  // Some choice of source for the ambiguous reads whose relabeled history is linearizable
  // (each linearization's sources are one choice), found region by region (see sources.ts).
  const found = chooseSources(ops, source, ambiguous, MAX_WORK);
  if (found === undefined) return undefined;
  if (found.valid) {
    // The zones themselves confirm the choice (the search's conflict test is theirs, pairwise).
    const decision = decideRelabeled(ops, init, found.source);
    return decision?.valid === true ? decision : undefined;
  }
  // No choice works in one region: the deepest consistent partial choice there, its next
  // read given its first candidate, explains (every other choice of it conflicts too).
  const decision = decideRelabeled(ops, init, found.source);
  if (decision === undefined || decision.valid) return undefined;
  return { ...decision, why: `${decision.why} (${found.tried} read${found.tried === 1 ? '' : 's'} of a repeated value near it had two or more possible source writes; every choice of theirs conflicts like this)` };
}

/**
 * Most likely source first: a write that certainly took effect before one that may never
 * have (an info write read by nobody is dropped, one read is a new cluster), the latest
 * invoked before earlier ones, the initial value last.
 */
function orderCandidates(ops: readonly TimedOp[], candidates: number[]): number[] {
  const rank = (w: number): number => (w < 0 ? -Infinity : ops[w]!.call - (ops[w]!.ret === Infinity ? 1e15 : 0));
  return candidates.sort((a, b) => rank(b) - rank(a) || a - b);
}

/** Zones on the history with each write its own value and each read its `source`'s (-1: the initial value; OMITTED: the read left out). */
function decideRelabeled(ops: readonly TimedOp[], init: Json, source: Int32Array): Decision | undefined {
  const read = new Uint8Array(ops.length);
  for (let i = 0; i < ops.length; i++) if (ops[i]!.f === 'read' && source[i]! >= 0) read[source[i]!] = 1;
  // The relabeled history: each write its own value (its index), reads their source's; unread
  // info writes dropped, read ones bounded by their first reader.
  const firstRead = new Float64Array(ops.length).fill(Infinity);
  for (let i = 0; i < ops.length; i++) if (ops[i]!.f === 'read' && source[i]! >= 0) firstRead[source[i]!] = Math.min(firstRead[source[i]!]!, ops[i]!.ret);
  const kept: number[] = [];
  const relabeled: TimedOp[] = [];
  const label = (w: number): Json => (w < 0 ? init : `\u0000${w}`);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f === 'write') {
      if (op.ret === Infinity && read[i] === 0) continue;
      const ret = op.ret === Infinity ? firstRead[i]! : op.ret;
      if (ret < op.call) return undefined;
      relabeled.push({ ...op, input: label(i), output: label(i), ret });
    } else if (source[i] === OMITTED) continue;
    else relabeled.push({ ...op, output: label(source[i]!) });
    kept.push(i);
  }
  const decision = zoneDecision(relabeled, init);
  if (decision === undefined || decision.valid) return decision;
  // Labels back to values, naming the write.
  const why = decision.why.replace(/"\\u0000(\d+)"/g, (_, w: string) => `${JSON.stringify(ops[Number(w)]!.input)} (the write invoked at t=${ops[Number(w)]!.call})`);
  return { valid: false, blocked: kept[decision.blocked]!, other: kept[decision.other]!, why };
}
