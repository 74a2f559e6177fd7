import type { Json } from '../../../history/event.js';
import type { Decision, TimedOp } from '../model.js';
import { jsonKey } from './json.js';

/**
 * Gibbons & Korach's zones ("Testing shared memories", SIAM J. Comput. 1997): a read/write
 * register history in which every write writes a value no other write (nor the initial
 * state) holds is linearizable iff
 *  (1) no read returned before the write of its value was invoked, and
 *  (2) no two clusters conflict. A value's cluster is its write and every read of it;
 *      f = the cluster's earliest return, s = its latest call. When f < s the register
 *      must hold the value from f to s with no other write in between (a forward zone);
 *      a cluster A with f_A < s_A conflicts with any other cluster B with f_A < s_B and
 *      f_B < s_A: two forward zones overlap, or every op of B spans [s_B, f_B] inside A's
 *      zone, so B can be placed neither before nor after it.
 * O(n log n), however concurrent the history: the search's worst case becomes its best.
 * The initial value is a cluster whose write returned at -Infinity. Touching intervals
 * are concurrent, hence the strict comparisons. Undefined (search instead) unless every
 * write is unique and certainly took effect by a known time (ok, or info with `by`) and
 * every read is ok: an info write that may never have happened is not a cluster.
 */
export function zoneDecision(ops: readonly TimedOp[], init: Json): Decision | undefined {
  interface Cluster {
    write: number;
    f: number;
    s: number;
    /** The ops that define f and s (-1: the initial state). */
    fOp: number;
    sOp: number;
  }
  const initKey = jsonKey(init);
  const clusters = new Map<string | number, Cluster>([[initKey, { write: -1, f: -Infinity, s: -Infinity, fOp: -1, sOp: -1 }]]);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f !== 'write') continue;
    const key = jsonKey(op.input);
    if (clusters.has(key) || op.ret === Infinity) return undefined;
    clusters.set(key, { write: i, f: op.ret, s: op.call, fOp: i, sOp: i });
  }
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f === 'write') continue;
    if (op.f !== 'read' || !op.known) return undefined;
    const c = clusters.get(jsonKey(op.output));
    // A value nobody wrote: the search reports it as impossible, with its own explanation.
    if (c === undefined) return undefined;
    if (c.write >= 0 && op.ret < ops[c.write]!.call) {
      return { valid: false, blocked: i, other: c.write, why: 'the read returned before the only write of that value was invoked' };
    }
    if (op.ret < c.f) [c.f, c.fOp] = [op.ret, i];
    if (op.call > c.s) [c.s, c.sOp] = [op.call, i];
  }
  const all = [...clusters.values()];
  const forward = all.filter((c) => c.f < c.s).sort((a, b) => a.f - b.f);
  // Forward zones sorted by start: each must begin no earlier than every earlier one ends.
  let widest: Cluster | undefined;
  for (const b of forward) {
    if (widest !== undefined && b.f < widest.s) return conflict(widest, b);
    if (widest === undefined || b.s > widest.s) widest = b;
  }
  // Disjoint zones sorted by start are sorted by end too: only the last zone starting
  // before s_B can reach past f_B.
  for (const b of all) {
    if (b.f < b.s) continue;
    let lo = 0;
    let hi = forward.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (forward[mid]!.f < b.s) lo = mid + 1;
      else hi = mid;
    }
    const a = lo > 0 ? forward[lo - 1]! : undefined;
    if (a !== undefined && b.f < a.s) return conflict(a, b);
  }
  return { valid: true };

  function conflict(a: Cluster, b: Cluster): Decision {
    // Blame the op that ends B's span (B's latest call when B is a forward zone, else its earliest return).
    const blocked = b.f < b.s ? b.sOp : b.fOp >= 0 ? b.fOp : b.sOp;
    const other = a.sOp;
    const value = (c: Cluster): string => (c.write < 0 ? `the initial value ${JSON.stringify(init)}` : `value ${JSON.stringify(ops[c.write]!.input)}`);
    const span = (c: Cluster): string => `t=${c.f === -Infinity ? '-∞' : c.f}..${c.s}`;
    return {
      valid: false,
      blocked,
      other,
      why:
        `the register had to hold ${value(a)} throughout ${span(a)} (between the first return and the last invocation of its write and reads), ` +
        `and ${value(b)}'s write and reads all ${b.f < b.s ? `had to hold it throughout ${span(b)}` : `span t=${b.s}..${b.f}`}, inside that: no order fits both`,
    };
  }
}
