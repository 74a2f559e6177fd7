/**
 * Version order from real time on a linearizable key, reads included (as Elle's
 * `:linearizable-keys?` orders every operation on a key, not only the writes): if an
 * operation that observed version x of a key (read it, or wrote it as its final write)
 * completed before another that observed y was invoked, then x ≤ y in the key's version
 * order, so x < y when they differ. A read-only transaction thus orders the writes it
 * precedes and the writes it follows. Process order on a sequential key (Elle's
 * `:sequential-keys?`, or a strong-session model) does the same for one process's operations.
 */

/** One committed observation of a key: its transaction, the version (-1: the initial nil), the interval. */
export interface Observation {
  txn: number;
  elem: number;
  /** A write (its transaction's final one) rather than a read. */
  write: boolean;
  call: number;
  /** Infinity for a transaction that never completed (info): it is never the earlier one. */
  ret: number;
}

/** x < y (or, of one version, a read before its write), witnessed by `first` completing before `second` was invoked. */
export interface ObservedPair {
  first: Observation;
  second: Observation;
}

/**
 * The strict pairs among one key's observations (of one process, for process order), and
 * each read of a version before that version's write. Only each observation's frontier (those
 * invoked after it completed and before the first of them completed) is paired: ≤ is
 * transitive, so a longer chain x ≤ z ≤ y with x ≠ y has a strict step along it whose
 * pair is emitted, and the version edges of the steps form a path; a read of x before x's
 * write with only reads of x between them has its last step, a read of x before the write,
 * emitted.
 */
export function observedPairs(obs: Observation[]): ObservedPair[] {
  const ws = [...obs].sort((a, b) => a.call - b.call);
  const minRet = new Float64Array(ws.length + 1).fill(Infinity);
  for (let i = ws.length - 1; i >= 0; i--) minRet[i] = Math.min(minRet[i + 1]!, ws[i]!.ret);
  const out: ObservedPair[] = [];
  for (const x of ws) {
    if (!Number.isFinite(x.ret)) continue;
    let lo = 0;
    let hi = ws.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ws[mid]!.call > x.ret) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < ws.length && ws[i]!.call <= minRet[lo]!; i++) {
      const y = ws[i]!;
      // One version twice is no order, except a read of it before its write (which no order admits).
      if (y.txn !== x.txn && (y.elem !== x.elem || (!x.write && y.write))) out.push({ first: x, second: y });
    }
  }
  return out;
}
