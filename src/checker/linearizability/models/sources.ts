import type { TimedOp } from '../model.js';

/** A read of a repeated value with two or more possible source writes (-1: the initial value), most likely first. */
export interface Ambiguous {
  read: number;
  candidates: readonly number[];
}

/** A read's `source` when it is left out of the relabeled history. */
export const OMITTED = -3;

export type Choice =
  /** Every ambiguous read's source, in a choice whose clusters conflict nowhere. */
  | { valid: true; source: Int32Array }
  /**
   * Some region has no such choice: `source` holds the deepest consistent partial choice
   * there plus the next read's first candidate, every other ambiguous read OMITTED;
   * `tried` = how many ambiguous reads that region has.
   */
  | { valid: false; source: Int32Array; tried: number };

/**
 * The sources of the ambiguous reads, by search instead of every combination.
 *
 * With each write relabeled to a value of its own and each read to its source's, the
 * zones (zones.ts) see one cluster per write: the write and the reads given it, f = the
 * cluster's earliest return, s = its latest invocation (an info write: no return; read by
 * nobody it is dropped, f = +∞, which conflicts with nothing; the initial value: f = -∞).
 * Two clusters A, B conflict iff f_A < s_B and f_B < s_A (for two forward zones: they
 * overlap; for a backward B: its span lies inside A's zone; two backward clusters never
 * satisfy both), and the history is linearizable iff no pair conflicts. So:
 *  - Monotone: giving a cluster another read only lowers f and raises s, so a conflict in
 *    a partial choice stays in every completion of it — prune there.
 *  - Local: a cluster can only ever reach [fmax, smax], its bounds with every read that may
 *    be given it; clusters whose reaches do not overlap never conflict. Ambiguous reads
 *    whose candidates can reach each other (through a shared candidate or overlapping
 *    reaches) form a region; regions are searched one at a time, independently, since
 *    no choice in one changes a cluster another can reach.
 * Within a region: backtracking over its reads in the order of their invocation, each
 * candidate in turn, testing the one cluster it grew against the clusters in reach of it.
 * Exact: a region fails only when every choice conflicts (the pruning is the monotonicity
 * above); a choice found is confirmed by the zones by the caller. Undefined past `maxWork`
 * conflict tests: the general search then takes over.
 *
 * `fixed`: each op's source for the reads with one candidate (OMITTED for the ambiguous
 * ones), whose clusters the caller found conflict-free.
 */
export function chooseSources(ops: readonly TimedOp[], fixed: Int32Array, ambiguous: readonly Ambiguous[], maxWork: number): Choice | undefined {
  const n = ops.length;
  // Cluster n is the initial value's.
  const cluster = (w: number): number => (w < 0 ? n : w);
  const f = new Float64Array(n + 1).fill(Infinity);
  const s = new Float64Array(n + 1).fill(-Infinity);
  f[n] = -Infinity;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    if (op.f === 'write') {
      f[i] = Math.min(f[i]!, op.ret);
      s[i] = Math.max(s[i]!, op.call);
    } else if (fixed[i]! !== OMITTED) {
      const c = cluster(fixed[i]!);
      f[c] = Math.min(f[c]!, op.ret);
      s[c] = Math.max(s[c]!, op.call);
    }
  }
  // Reach: the bounds with every ambiguous read that may be given the cluster.
  const fmax = Float64Array.from(f);
  const smax = Float64Array.from(s);
  const touched: number[] = [];
  const isTouched = new Uint8Array(n + 1);
  for (const a of ambiguous) {
    const r = ops[a.read]!;
    for (const w of a.candidates) {
      const c = cluster(w);
      fmax[c] = Math.min(fmax[c]!, r.ret);
      smax[c] = Math.max(smax[c]!, r.call);
      if (isTouched[c] === 0) touched.push(c);
      isTouched[c] = 1;
    }
  }
  // Clusters in reach of each touched one: all clusters that can take part in a conflict
  // (f < ∞ and s > -∞ at their reach), sorted by the low end of their reach, with the
  // running maximum of the high end so a backward scan can stop.
  const live: number[] = [];
  for (let c = 0; c <= n; c++) if (fmax[c]! < Infinity && smax[c]! > -Infinity) live.push(c);
  const lo = (c: number): number => Math.min(fmax[c]!, smax[c]!);
  const hi = (c: number): number => Math.max(fmax[c]!, smax[c]!);
  live.sort((a, b) => lo(a) - lo(b) || a - b);
  const runningHi = new Float64Array(live.length);
  for (let k = 0; k < live.length; k++) runningHi[k] = Math.max(k > 0 ? runningHi[k - 1]! : -Infinity, hi(live[k]!));
  let work = 0;
  const near = new Map<number, number[]>();
  for (const a of touched) {
    const list: number[] = [];
    // Conflict possible only if lo_B < hi_A and lo_A < hi_B.
    let k = upperBound(live, (c) => lo(c) < hi(a));
    while (--k >= 0 && runningHi[k]! > lo(a)) {
      const b = live[k]!;
      work++;
      if (b !== a && fmax[a]! < smax[b]! && fmax[b]! < smax[a]!) list.push(b);
    }
    if (work > maxWork) return undefined;
    near.set(a, list);
  }

  // Regions: union-find over the touched clusters.
  const parent = new Map<number, number>(touched.map((c) => [c, c]));
  const root = (c: number): number => {
    let r = c;
    while (parent.get(r)! !== r) r = parent.get(r)!;
    while (parent.get(c)! !== r) {
      const next = parent.get(c)!;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = root(a);
    const rb = root(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const a of ambiguous) for (const w of a.candidates) union(cluster(a.candidates[0]!), cluster(w));
  for (const [a, list] of near) for (const b of list) if (isTouched[b] === 1) union(a, b);
  const regions = new Map<number, Ambiguous[]>();
  for (const a of ambiguous) {
    const r = root(cluster(a.candidates[0]!));
    const list = regions.get(r);
    if (list === undefined) regions.set(r, [a]);
    else list.push(a);
  }

  const source = Int32Array.from(fixed);
  const conflicts = (a: number): boolean => {
    const list = near.get(a)!;
    work += list.length;
    for (const b of list) if (f[a]! < s[b]! && f[b]! < s[a]!) return true;
    return false;
  };
  for (const reads of regions.values()) {
    reads.sort((x, y) => ops[x.read]!.call - ops[y.read]!.call || x.read - y.read);
    const m = reads.length;
    const choice = new Int32Array(m).fill(-1);
    /** The cluster's bounds before read k was given to it, to undo. */
    const oldF = new Float64Array(m);
    const oldS = new Float64Array(m);
    const placed = new Uint8Array(m);
    let deepest = -1;
    let deepestChoice = choice.slice();
    let k = 0;
    while (k >= 0 && k < m) {
      const a = reads[k]!;
      if (placed[k] === 1) {
        const c = cluster(a.candidates[choice[k]!]!);
        f[c] = oldF[k]!;
        s[c] = oldS[k]!;
        placed[k] = 0;
      }
      if (++choice[k]! >= a.candidates.length) {
        choice[k] = -1;
        k--;
        continue;
      }
      if (k > deepest) [deepest, deepestChoice] = [k, choice.slice()];
      const c = cluster(a.candidates[choice[k]!]!);
      const r = ops[a.read]!;
      oldF[k] = f[c]!;
      oldS[k] = s[c]!;
      const nf = Math.min(f[c]!, r.ret);
      const ns = Math.max(s[c]!, r.call);
      // Unchanged bounds: still conflict-free.
      const grew = nf !== f[c] || ns !== s[c];
      f[c] = nf;
      s[c] = ns;
      placed[k] = 1;
      if (grew && conflicts(c)) {
        f[c] = oldF[k]!;
        s[c] = oldS[k]!;
        placed[k] = 0;
        if (work > maxWork) return undefined;
        continue;
      }
      if (work > maxWork) return undefined;
      k++;
    }
    if (k < 0) {
      // No choice in this region: its deepest consistent prefix, the next read's first candidate.
      const out = Int32Array.from(fixed);
      for (let j = 0; j <= deepest; j++) out[reads[j]!.read] = reads[j]!.candidates[j < deepest ? deepestChoice[j]! : 0]!;
      return { valid: false, source: out, tried: m };
    }
    for (let j = 0; j < m; j++) source[reads[j]!.read] = reads[j]!.candidates[choice[j]!]!;
  }
  return { valid: true, source };
}

/** First index whose element fails `below` (the elements passing it come first). */
function upperBound(sorted: readonly number[], below: (c: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
