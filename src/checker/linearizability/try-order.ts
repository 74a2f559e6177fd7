import { type CheckedOp, toModelOp } from './info-ops.js';
import type { AnyModel, TraceKey } from './model.js';

/**
 * The order in which the search tries the candidates of a configuration, as a rank per op
 * (0 first). Any order is exact — the search still tries every candidate before giving up
 * on a configuration — so this is only about finding a linearization quickly when there
 * is one: earliest deadline first, where an op's deadline is when it must have taken
 * effect by: its return (an info op's `by`, else never), or, for an op that writes a
 * value (the model's `traces`), the earliest return after its call of an ok op that needs
 * that value — if that reader saw this op's value, the op came first. Call order, what
 * the search tried before, is a poor guess under high concurrency: of 25 overlapping
 * writes it tries the first-called first, though the effects are ordered at random.
 */
export function tryOrder(model: AnyModel, ops: readonly CheckedOp[]): Int32Array {
  const n = ops.length;
  const deadline = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    deadline[i] = o.type === 'info' ? (o.by ?? Infinity) : o.ret;
  }
  if (model.traces !== undefined) readerDeadlines(model, ops, deadline);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => deadline[a]! - deadline[b]! || a - b);
  const rank = new Int32Array(n);
  order.forEach((o, k) => (rank[o] = k));
  return rank;
}

/** Lowers each writer's deadline to the first return, after its call, of an ok op that needs a value it writes. */
function readerDeadlines(model: AnyModel, ops: readonly CheckedOp[], deadline: Float64Array): void {
  const writes: (readonly TraceKey[] | undefined)[] = new Array(ops.length);
  const readers = new Map<TraceKey, number[]>();
  ops.forEach((o, i) => {
    const t = model.traces!(toModelOp(o));
    if (t === undefined) return;
    if (t.writes.length > 0) writes[i] = t.writes;
    if (o.type !== 'ok') return;
    for (const r of t.reads) {
      const list = readers.get(r);
      if (list === undefined) readers.set(r, [o.ret]);
      else list.push(o.ret);
    }
  });
  for (const list of readers.values()) list.sort((a, b) => a - b);
  writes.forEach((values, i) => {
    if (values === undefined) return;
    const call = ops[i]!.call;
    for (const v of values) {
      const list = readers.get(v);
      if (list === undefined) continue;
      const first = list[firstAtLeast(list, call)];
      if (first !== undefined && first < deadline[i]!) deadline[i] = first;
    }
  });
}

/** Index of the first element ≥ x in a sorted list (its length when none). */
function firstAtLeast(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
