import type { ModelOp, Overwritten, TimedOp, TraceKey, Traces } from '../model.js';

/**
 * The stale-read rule for single-register models (every op that takes effect replaces the
 * whole state by the one value it writes; traces are exact). An ok op O that needs value v
 * (a read of v, a cas from v) is impossible when some op W certainly took effect (ok, or
 * an info op bounded by `by`) with W called after every op that may write v had certainly
 * taken effect (L(v): the latest of their returns or `by`s; Infinity when one of them is
 * an unbounded info op; the initial value counts as written at -Infinity) and W returned
 * before O was called. Proof: any producer of v takes effect at a point ≤ L(v) < W.call ≤
 * point(W) ≤ W.ret < O.call ≤ point(O), so the last op to take effect before O is W or
 * later, none of which writes v — O cannot see v. (W cannot write v itself: its return
 * would be ≤ L(v) < its call.) Strict inequalities: touching intervals are concurrent.
 */
export function overwrittenRead(ops: readonly TimedOp[], init: TraceKey, traces: (op: ModelOp) => Traces | undefined): Overwritten | undefined {
  // The value each op needs (an ok op's only read), kept as keys, not Traces objects: a million of those is a lot of garbage.
  const needs: (TraceKey | undefined)[] = new Array(ops.length);
  const latest = new Map<TraceKey, number>([[init, -Infinity]]);
  const certain: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const t = traces(op);
    // An untraced op might write anything: no conclusion.
    if (t === undefined || t.writes.length > 1) return undefined;
    if (op.known && t.reads.length === 1) needs[i] = t.reads[0];
    const w = t.writes[0];
    if (w === undefined) continue;
    latest.set(w, Math.max(latest.get(w) ?? -Infinity, op.ret));
    if (op.ret < Infinity) certain.push(i);
  }
  if (certain.length === 0) return undefined;
  // Certain writers by return; for each prefix, the one called last.
  certain.sort((a, b) => ops[a]!.ret - ops[b]!.ret);
  const lastCalled = new Int32Array(certain.length);
  for (let k = 0; k < certain.length; k++) {
    const prev = k === 0 ? -1 : lastCalled[k - 1]!;
    lastCalled[k] = prev >= 0 && ops[prev]!.call >= ops[certain[k]!]!.call ? prev : certain[k]!;
  }
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const need = needs[i];
    if (need === undefined) continue;
    // Certain writers that returned strictly before op was called: certain[0..k).
    let lo = 0;
    let hi = certain.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ops[certain[mid]!]!.ret < op.call) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) continue;
    const w = lastCalled[lo - 1]!;
    if (ops[w]!.call > (latest.get(need) ?? -Infinity)) return { op: i, by: w };
  }
  return undefined;
}
