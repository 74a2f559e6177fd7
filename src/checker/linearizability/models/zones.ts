import type { Json } from '../../../history/event.js';
import type { Decision, TimedOp } from '../model.js';
import { jsonKey } from './json.js';

/**
 * Gibbons & Korach's zones ("Testing shared memories", SIAM J. Comput. 1997), extended to
 * compare-and-set. A read/write register history in which every write writes a value no
 * other write (nor the initial state) holds is linearizable iff
 *  (1) no read returned before the write of its value was invoked, and
 *  (2) no two clusters conflict. A value's cluster is its write and every read of it;
 *      f = the cluster's earliest return, s = its latest call. When f < s the register
 *      must hold the value from f to s with no other write in between (a forward zone);
 *      a cluster A with f_A < s_A conflicts with any other cluster B with f_A < s_B and
 *      f_B < s_A: two forward zones overlap, or every op of B spans [s_B, f_B] inside A's
 *      zone, so B can be placed neither before nor after it.
 *
 * With cas: when every write and every cas's new value is written by one op only, an ok
 * cas [a b] is a read of a and the write of b at one instant, so b's cluster follows a's
 * with nothing in between, and a is never held again (at most one cas can start from a).
 * A *chain* is a value written by a write (or the initial value) followed by the values
 * cas ops wrote from it in turn; in any linearization a chain's ops are one contiguous
 * block, in the order producer, reads of v1, cas v1→v2, reads of v2, ... The history is
 * linearizable iff
 *  (1') every chain's ops can be given points inside their intervals in that order (the
 *       earliest point of each, max(call, previous point), is at most its return), and
 *  (2') no two chains conflict, as clusters above (f, s over all the chain's ops).
 * Necessary: a block spans at least [f, s], blocks do not interleave — (2') as for G&K —
 * and a block's order is (1'). Sufficient: forward chains' zones are disjoint open
 * intervals, each chain's points from (1') clamped into [f, s] stay inside every op's
 * interval (f ≤ each return, s ≥ each call) and in order; a backward chain's ops all
 * contain [s, f], which by (2') holds a point outside every forward zone, where the whole
 * block goes; blocks sorted by position give a sequence whose points never decrease,
 * hence respects real time, and whose every block is legal from any state (it starts
 * with a write), the initial chain (f = -∞) first. Without cas, chains are single
 * clusters and (1') is (1).
 *
 * O(n log n), however concurrent the history: the search's worst case becomes its best.
 * Touching intervals are concurrent, hence the strict comparisons and ties allowed in
 * (1'). Undefined (search instead) unless every write and cas is unique in the value it
 * writes and certainly took effect by a known time (ok, or info with `by`) and every read
 * is ok: an info write that may never have happened is not a cluster. Also undefined for
 * a read or cas of a value nobody writes, and for cas ops whose values form a cycle.
 */
export function zoneDecision(ops: readonly TimedOp[], init: Json): Decision | undefined {
  const initKey = jsonKey(init);
  /** Value → the op that writes it (-1: the initial value). */
  const producer = new Map<string | number, number>([[initKey, -1]]);
  /** Value → the cas that replaces it. */
  const consumer = new Map<string | number, number>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f === 'read') {
      if (!op.known) return undefined;
      continue;
    }
    const written = op.f === 'write' ? op.input : op.f === 'cas' && Array.isArray(op.input) ? op.input[1] : undefined;
    if (written === undefined || op.ret === Infinity) return undefined;
    const key = jsonKey(written);
    if (producer.has(key)) return undefined;
    producer.set(key, i);
    if (op.f !== 'cas') continue;
    const from = jsonKey((op.input as Json[])[0]!);
    const before = consumer.get(from);
    if (before !== undefined) {
      const [first, second] = ops[before]!.call <= op.call ? [before, i] : [i, before];
      return {
        valid: false,
        blocked: second,
        other: first,
        why: `both cas from value ${JSON.stringify((op.input as Json[])[0])}, which is written once: whichever takes effect first replaces it for good`,
      };
    }
    consumer.set(from, i);
  }
  const readsOf = new Map<string | number, number[]>();
  for (let i = 0; i < ops.length; i++) {
    if (ops[i]!.f !== 'read') continue;
    const key = jsonKey(ops[i]!.output);
    // A value nobody wrote: the search reports it as impossible, with its own explanation.
    if (!producer.has(key)) return undefined;
    const list = readsOf.get(key);
    if (list === undefined) readsOf.set(key, [i]);
    else list.push(i);
  }
  for (const from of consumer.keys()) if (!producer.has(from)) return undefined;

  interface Cluster {
    /** The chain's values in order; the first one's producer starts it (-1: the initial value). */
    values: (string | number)[];
    first: number;
    f: number;
    s: number;
    /** The ops that define f and s (-1: the initial state). */
    fOp: number;
    sOp: number;
  }
  const all: Cluster[] = [];
  let reached = 0;
  for (const [start, p] of producer) {
    if (p >= 0 && ops[p]!.f === 'cas') continue;
    const c: Cluster = { values: [], first: p, f: p < 0 ? -Infinity : ops[p]!.ret, s: p < 0 ? -Infinity : ops[p]!.call, fOp: p, sOp: p };
    const widen = (i: number): void => {
      const op = ops[i]!;
      if (op.ret < c.f) [c.f, c.fOp] = [op.ret, i];
      if (op.call > c.s) [c.s, c.sOp] = [op.call, i];
    };
    // (1'): the earliest point of each op in the chain's order; `at` set by op `atOp`.
    let at = p < 0 ? -Infinity : ops[p]!.call;
    let atOp = p;
    for (let value: string | number | undefined = start; value !== undefined; ) {
      c.values.push(value);
      reached++;
      const reads = readsOf.get(value) ?? [];
      let latest = at;
      let latestOp = atOp;
      for (const r of reads) {
        widen(r);
        const op = ops[r]!;
        if (op.ret < at) return outOfOrder(r, atOp, value);
        if (op.call > latest) [latest, latestOp] = [op.call, r];
      }
      [at, atOp] = [latest, latestOp];
      const cas = consumer.get(value);
      if (cas === undefined) break;
      widen(cas);
      if (ops[cas]!.ret < at) return outOfOrder(cas, atOp, value);
      if (ops[cas]!.call > at) [at, atOp] = [ops[cas]!.call, cas];
      value = jsonKey((ops[cas]!.input as Json[])[1]!);
    }
    all.push(c);
  }
  // Values only cas ops write, never reached from a write or the initial value: a cycle.
  if (reached < producer.size) return undefined;

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

  function show(value: string | number): string {
    const p = producer.get(value)!;
    if (p < 0) return `the initial value ${JSON.stringify(init)}`;
    const op = ops[p]!;
    return `value ${JSON.stringify(op.f === 'cas' ? (op.input as Json[])[1] : op.input)}`;
  }

  function name(c: Cluster): string {
    return c.values.length === 1 ? show(c.values[0]!) : `the chain ${c.values.map(show).join(' → ')} (each replaced by a cas)`;
  }

  /** Op `o` had to follow `after` in its chain's order, but returned before `after` could take effect. */
  function outOfOrder(o: number, after: number, value: string | number): Decision {
    const op = ops[o]!;
    const why =
      after === producer.get(value) && op.f === 'read'
        ? 'the read returned before the only write of that value was invoked'
        : `it needs ${show(value)}, so it had to take effect after that op, which could not take effect before t=${ops[after]!.call}, but it returned at t=${op.ret}`;
    return { valid: false, blocked: o, other: after, why };
  }

  function conflict(a: Cluster, b: Cluster): Decision {
    // Blame the op that ends B's span (B's latest call when B is a forward zone, else its earliest return).
    const blocked = b.f < b.s ? b.sOp : b.fOp >= 0 ? b.fOp : b.sOp;
    const other = a.sOp;
    const span = (c: Cluster): string => `t=${c.f === -Infinity ? '-∞' : c.f}..${c.s}`;
    return {
      valid: false,
      blocked,
      other,
      why:
        `the register had to hold ${name(a)} throughout ${span(a)} (between the first return and the last invocation of its write${a.values.length > 1 ? 's' : ''} and reads), ` +
        `and ${name(b)}'s ops all ${b.f < b.s ? `had to hold it throughout ${span(b)}` : `span t=${b.s}..${b.f}`}, inside that: no order fits both`,
    };
  }
}
