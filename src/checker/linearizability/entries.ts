import type { CheckedOp } from './info-ops.js';

/**
 * The history as a doubly linked list of call and return entries in time order, over
 * typed arrays: entry `e` belongs to op `op[e]` and is a return when `isReturn[e]` is 1.
 * Op ids are positions in call order. Operations whose outcome is unknown (`info`) have a
 * call entry only: they may take effect any time after their call, or never; unless
 * they carry `by`, a time by which they certainly took effect: their return entry.
 * At equal times calls come first, so touching intervals count as concurrent.
 */
export class EntryList {
  readonly head: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly op: Int32Array;
  readonly isReturn: Uint8Array;
  readonly callEntry: Int32Array;
  /** -1 for an op without a return. */
  readonly returnEntry: Int32Array;
  /** Return entries still in the list: the search is done when none is left. */
  returnsLeft: number;

  constructor(ops: readonly CheckedOp[]) {
    const n = ops.length;
    let returns = 0;
    for (const o of ops) if (Number.isFinite(returnTime(o))) returns++;
    const count = n + returns;
    const time = new Float64Array(count);
    this.op = new Int32Array(count);
    this.isReturn = new Uint8Array(count);
    let e = 0;
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      time[e] = o.call;
      this.op[e++] = i;
      const ret = returnTime(o);
      if (Number.isFinite(ret)) {
        time[e] = ret;
        this.op[e] = i;
        this.isReturn[e++] = 1;
      }
    }
    const order = timeOrder(time, this.isReturn);
    this.head = count;
    this.next = new Int32Array(count + 1).fill(-1);
    this.prev = new Int32Array(count + 1).fill(-1);
    this.callEntry = new Int32Array(n);
    this.returnEntry = new Int32Array(n).fill(-1);
    let last = this.head;
    for (let i = 0; i < order.length; i++) {
      const k = order[i]!;
      this.next[last] = k;
      this.prev[k] = last;
      last = k;
      if (this.isReturn[k] === 1) this.returnEntry[this.op[k]!] = k;
      else this.callEntry[this.op[k]!] = k;
    }
    this.returnsLeft = returns;
  }

  /** Takes op `o`'s entries out of the list (it has been linearized). */
  lift(o: number): void {
    const { next, prev } = this;
    const c = this.callEntry[o]!;
    next[prev[c]!] = next[c]!;
    if (next[c]! >= 0) prev[next[c]!] = prev[c]!;
    const r = this.returnEntry[o]!;
    if (r >= 0) {
      next[prev[r]!] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = prev[r]!;
      this.returnsLeft--;
    }
  }

  /** Undoes `lift(o)`; lifts and unlifts must nest like a stack. */
  unlift(o: number): void {
    const { next, prev } = this;
    const r = this.returnEntry[o]!;
    if (r >= 0) {
      next[prev[r]!] = r;
      if (next[r]! >= 0) prev[next[r]!] = r;
      this.returnsLeft++;
    }
    const c = this.callEntry[o]!;
    next[prev[c]!] = c;
    if (next[c]! >= 0) prev[next[c]!] = c;
  }
}

/** Below this many entries an insertion sort: no array of boxed indices, no comparator closure. */
const SMALL = 128;

/**
 * Entry indices by time, calls before returns at equal times, then by index (a total
 * order, so both ways of sorting give the same list). A per-key partition has a few
 * dozen entries and thousands of partitions may be checked: there the generic sort's
 * set-up (an index array, a closure called per comparison) cost more than the sorting.
 */
function timeOrder(time: Float64Array, isReturn: Uint8Array): ArrayLike<number> {
  const count = time.length;
  if (count > SMALL) return Array.from({ length: count }, (_, k) => k).sort((a, b) => time[a]! - time[b]! || isReturn[a]! - isReturn[b]! || a - b);
  const order = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    let j = k;
    const t = time[k]!;
    const r = isReturn[k]!;
    while (j > 0) {
      const p = order[j - 1]!;
      const tp = time[p]!;
      if (tp < t || (tp === t && isReturn[p]! <= r)) break;
      order[j] = p;
      j--;
    }
    order[j] = k;
  }
  return order;
}

/** When the op certainly took effect: its return, or `by` for an info op (Infinity: maybe never). */
function returnTime(o: CheckedOp): number {
  return o.type === 'info' ? (o.by ?? Infinity) : o.ret;
}
