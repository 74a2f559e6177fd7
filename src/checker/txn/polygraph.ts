import type { Deadline } from './budget.js';
import { type EdgeKind, EdgeStore, buildCsr } from './graph.js';
import { stronglyConnected } from './scc.js';

/**
 * A polygraph (Papadimitriou; Cobra, PolySI, Viper): a dependency graph whose version order is
 * partly open. Known edges hold whatever the order; each constraint offers two alternatives
 * (edge sets), exactly one of which holds. The history is acyclic-explainable iff some choice
 * of one alternative per constraint leaves the whole graph acyclic. Decided by a DPLL-style
 * search of our own: unit propagation (an alternative that would close a cycle with the edges
 * already in the graph forces the other), branching with backtracking, and incremental cycle
 * detection (a new edge u→v closes a cycle iff v already reaches u).
 */

export interface CandidateEdge {
  src: number;
  dst: number;
  kind: EdgeKind;
  /** Inference-specific justification, as in EdgeStore. */
  a: number;
  b: number;
}

export interface Constraint {
  /** What the constraint is about (rw-register: the key id), for reporting undecided keys. */
  key: number;
  alts: readonly [readonly CandidateEdge[], readonly CandidateEdge[]];
}

/** An edge of a found cycle: a known edge (its EdgeStore id) or a candidate of a constraint's alternative. */
export type CycleEdge = { known: number } | { constraint: number; alt: 0 | 1; edge: CandidateEdge };

/** How a constraint got its alternative on the path of a refutation. */
export type ChoiceWhy = 'assumed' | 'forced' | 'free';

export type PolygraphResult =
  | { kind: 'acyclic'; relevant: number; implied: number }
  | {
      kind: 'cyclic';
      relevant: number;
      /** The constraint whose both alternatives closed a cycle at the first conflict. */
      constraint: number;
      /** The cycle each alternative closes there. */
      cycles: [CycleEdge[], CycleEdge[]];
      /** How each constraint decided at that point got its alternative. */
      why: ReadonlyMap<number, ChoiceWhy>;
      /** Branches explored (decisions made). */
      decisions: number;
    }
  | { kind: 'timeout'; relevant: number; undecided: number[] };

class OutOfTime extends Error {}

/**
 * Kahn's algorithm, positions increasing along every edge; among the nodes free to go next the
 * lowest-numbered first. Nodes are numbered in invocation order, so the order stays close to
 * real time, which is what the greedy pass then prefers for open writes.
 */
function topologicalOrder(n: number, out: readonly number[][], dst: (ref: number) => number): Int32Array {
  const indeg = new Int32Array(n);
  for (const list of out) for (const r of list) indeg[dst(r)]!++;
  const heap = new MinHeap();
  for (let v = 0; v < n; v++) if (indeg[v] === 0) heap.push(v);
  const ord = new Int32Array(n);
  let next = 0;
  while (heap.size > 0) {
    const v = heap.pop();
    ord[v] = next++;
    for (const r of out[v]!) if (--indeg[dst(r)]! === 0) heap.push(dst(r));
  }
  // Nodes on a cycle of the known graph (not expected: the search runs only on acyclic ones) still get distinct positions.
  for (let v = 0; v < n; v++) if (indeg[v]! > 0) ord[v] = next++;
  return ord;
}

class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    let i = a.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && a[c + 1]! < a[c]!) c++;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Searches for an acyclic choice. `known` edges count when their kind is in `mask`.
 * Constraints outside every strongly connected component of known ∪ all candidate edges
 * cannot be on a cycle (Cobra's pruning) and are settled first.
 */
export function solvePolygraph(n: number, known: EdgeStore, mask: number, constraints: readonly Constraint[], deadline: Deadline): PolygraphResult {
  const s = new Search(n, known, mask, constraints, deadline);
  // A constraint one of whose alternatives the known graph already implies (each edge a known
  // path) was decided by the inferences: it adds nothing, and the other alternative closes a cycle.
  const implied = constraints.filter((c) => s.impliedByKnown(c)).length;
  if (implied === constraints.length) return { kind: 'acyclic', relevant: 0, implied };
  const relevant = prune(n, known, mask, constraints);
  try {
    for (let c = 0; c < constraints.length; c++) if (!relevant.has(c)) s.settleFree(c);
    const ok = s.greedy() || s.solve();
    return ok ? { kind: 'acyclic', relevant: relevant.size, implied } : { ...s.conflict!, kind: 'cyclic', relevant: relevant.size, decisions: s.decisions };
  } catch (e) {
    if (!(e instanceof OutOfTime)) throw e;
    return { kind: 'timeout', relevant: relevant.size, undecided: [...relevant].filter((c) => s.level0[c] === -1) };
  }
}

/**
 * Constraints that can matter: an alternative all of whose edges cross strongly connected
 * components of the over-approximate graph (known ∪ every candidate) can never lie on a
 * cycle, so choosing it is free; that drops the other alternative's edges and can split
 * components further, hence the rounds.
 */
function prune(n: number, known: EdgeStore, mask: number, constraints: readonly Constraint[]): Set<number> {
  let live = new Set(constraints.keys());
  for (let round = 0; round < 8 && live.size > 0; round++) {
    const g = new EdgeStore(known.length + 16);
    for (let e = 0; e < known.length; e++) if ((mask >> known.kind[e]!) & 1) g.add(known.src[e]!, known.dst[e]!, known.kind[e]! as EdgeKind);
    for (const c of live) for (const alt of constraints[c]!.alts) for (const x of alt) g.add(x.src, x.dst, x.kind);
    const { comp } = stronglyConnected(buildCsr(n, g), g, -1 >>> 0);
    const inside = (alt: readonly CandidateEdge[]): boolean => alt.some((x) => comp[x.src] === comp[x.dst]);
    const next = new Set([...live].filter((c) => inside(constraints[c]!.alts[0]) && inside(constraints[c]!.alts[1])));
    if (next.size === live.size) break;
    live = next;
  }
  return live;
}

class Search {
  /** Out- and in-adjacency: edge refs (known id, or -1 - candidate index). */
  private readonly out: number[][];
  private readonly inn: number[][];
  /**
   * A topological order of the current graph (Pearce–Kelly): an edge that goes forward in it
   * cannot close a cycle, so most checks need no search; a backward one searches only between
   * the two positions and reorders that stretch. Removing edges keeps an order valid, so
   * backtracking needs no undo here.
   */
  private readonly ord: Int32Array;
  private readonly cands: { c: number; alt: 0 | 1; edge: CandidateEdge }[] = [];
  /** Candidate indexes of each constraint's alternatives. */
  private readonly candOf: [number[], number[]][] = [];
  readonly assign: Int8Array;
  /** The assignment after propagation at the root (-1: left to the branches). */
  level0: Int8Array;
  private readonly why = new Map<number, ChoiceWhy>();
  private readonly stamp: Int32Array;
  private readonly parent: Int32Array;
  private epoch = 0;
  decisions = 0;
  conflict: { constraint: number; cycles: [CycleEdge[], CycleEdge[]]; why: ReadonlyMap<number, ChoiceWhy> } | undefined;

  constructor(
    n: number,
    private readonly known: EdgeStore,
    mask: number,
    private readonly constraints: readonly Constraint[],
    private readonly deadline: Deadline,
  ) {
    this.out = Array.from({ length: n }, () => []);
    this.inn = Array.from({ length: n }, () => []);
    for (let e = 0; e < known.length; e++) {
      if (((mask >> known.kind[e]!) & 1) === 0) continue;
      this.out[known.src[e]!]!.push(e);
      this.inn[known.dst[e]!]!.push(e);
    }
    this.ord = topologicalOrder(n, this.out, (e) => known.dst[e]!);
    constraints.forEach((con, c) => {
      const ids: [number[], number[]] = [[], []];
      for (const alt of [0, 1] as const) {
        for (const edge of con.alts[alt]) {
          ids[alt].push(this.cands.length);
          this.cands.push({ c, alt, edge });
        }
      }
      this.candOf.push(ids);
    });
    this.assign = new Int8Array(constraints.length).fill(-1);
    this.level0 = this.assign;
    this.stamp = new Int32Array(n);
    this.parent = new Int32Array(n);
  }

  private dst(ref: number): number {
    return ref >= 0 ? this.known.dst[ref]! : this.cands[-1 - ref]!.edge.dst;
  }

  private src(ref: number): number {
    return ref >= 0 ? this.known.src[ref]! : this.cands[-1 - ref]!.edge.src;
  }

  /**
   * Inserts edge `ref` (src → dst) unless it closes a cycle; then returns the cycle's other
   * edges (a path dst ⇝ src). Pearce–Kelly: only a backward edge needs a search, bounded by
   * the positions of its ends.
   */
  private insert(ref: number, src: number, dst: number): number[] | undefined {
    const { ord } = this;
    if (src === dst) return [];
    const lb = ord[dst]!;
    const ub = ord[src]!;
    if (lb > ub) {
      this.out[src]!.push(ref);
      this.inn[dst]!.push(ref);
      return undefined;
    }
    // Forward from dst within [lb, ub]: reaching src is a cycle.
    const fwd: number[] = [];
    const stamp = ++this.epoch;
    const stack = [dst];
    this.stamp[dst] = stamp;
    while (stack.length > 0) {
      if (this.deadline.expired()) throw new OutOfTime();
      const v = stack.pop()!;
      fwd.push(v);
      for (const r of this.out[v]!) {
        const w = this.dst(r);
        if (this.stamp[w] === stamp || ord[w]! > ub) continue;
        this.stamp[w] = stamp;
        this.parent[w] = r;
        if (w === src) {
          const p: number[] = [];
          for (let x = src; x !== dst; x = this.src(this.parent[x]!)) p.push(this.parent[x]!);
          return p.reverse();
        }
        stack.push(w);
      }
    }
    // Backward from src within [lb, ub], then the two sets swap places in the order.
    const bwd: number[] = [];
    const back = ++this.epoch;
    stack.push(src);
    this.stamp[src] = back;
    while (stack.length > 0) {
      const v = stack.pop()!;
      bwd.push(v);
      for (const r of this.inn[v]!) {
        const w = this.src(r);
        if (this.stamp[w] === back || ord[w]! < lb) continue;
        this.stamp[w] = back;
        stack.push(w);
      }
    }
    const byOrd = (a: number, b: number): number => ord[a]! - ord[b]!;
    bwd.sort(byOrd);
    fwd.sort(byOrd);
    const nodes = [...bwd, ...fwd];
    const slots = nodes.map((v) => ord[v]!).sort((a, b) => a - b);
    nodes.forEach((v, i) => (ord[v] = slots[i]!));
    this.out[src]!.push(ref);
    this.inn[dst]!.push(ref);
    return undefined;
  }

  /** Adds an alternative's edges; on a cycle, removes what it added and returns the cycle. */
  private add(c: number, alt: 0 | 1): number[] | undefined {
    const ids = this.candOf[c]![alt];
    for (let i = 0; i < ids.length; i++) {
      const { src, dst } = this.cands[ids[i]!]!.edge;
      const back = this.insert(-1 - ids[i]!, src, dst);
      if (back !== undefined) {
        for (let j = i - 1; j >= 0; j--) this.pop(this.cands[ids[j]!]!.edge);
        return [-1 - ids[i]!, ...back];
      }
    }
    this.assign[c] = alt;
    return undefined;
  }

  private remove(c: number): void {
    const ids = this.candOf[c]![this.assign[c] as 0 | 1];
    for (let j = ids.length - 1; j >= 0; j--) this.pop(this.cands[ids[j]!]!.edge);
    this.assign[c] = -1;
    this.why.delete(c);
  }

  /** Whether the graph as it is (known edges only, before any choice) has paths for all of one alternative's edges. */
  impliedByKnown(con: Constraint): boolean {
    return con.alts.some((alt) => alt.every((x) => this.reaches(x.src, x.dst)));
  }

  /** A path from → to; only nodes positioned between the two can be on it. */
  private reaches(from: number, to: number): boolean {
    const { ord } = this;
    if (ord[from]! > ord[to]!) return false;
    const stamp = ++this.epoch;
    const stack = [from];
    this.stamp[from] = stamp;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const r of this.out[v]!) {
        const w = this.dst(r);
        if (w === to) return true;
        if (this.stamp[w] === stamp || ord[w]! > ord[to]!) continue;
        this.stamp[w] = stamp;
        stack.push(w);
      }
    }
    return false;
  }

  /** Edges leave in the reverse order of their insertion, so each list pops its own. */
  private pop(edge: CandidateEdge): void {
    this.out[edge.src]!.pop();
    this.inn[edge.dst]!.pop();
  }

  /** Whether every edge of an alternative goes forward in the current order (it cannot close a cycle now). */
  private forward(c: number, alt: 0 | 1): boolean {
    return this.candOf[c]![alt].every((i) => this.ord[this.cands[i]!.edge.src]! < this.ord[this.cands[i]!.edge.dst]!);
  }

  /** A constraint outside every cyclic component: either alternative is harmless. */
  settleFree(c: number): void {
    for (const alt of [0, 1] as const) {
      if (this.add(c, alt) === undefined) {
        this.why.set(c, 'free');
        return;
      }
    }
  }

  private toCycle(refs: number[]): CycleEdge[] {
    return refs.map((r) => (r >= 0 ? { known: r } : { constraint: this.cands[-1 - r]!.c, alt: this.cands[-1 - r]!.alt, edge: this.cands[-1 - r]!.edge }));
  }

  /**
   * Forces every constraint one of whose alternatives closes a cycle, until nothing changes.
   * Returns the constraints it assigned (to undo), or undefined on a conflict.
   */
  private propagate(): number[] | undefined {
    const forced: number[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (let c = 0; c < this.constraints.length; c++) {
        if (this.assign[c] !== -1) continue;
        if (this.deadline.expired()) throw new OutOfTime();
        const cycle0 = this.add(c, 0);
        if (cycle0 === undefined) this.remove(c);
        const cycle1 = this.add(c, 1);
        if (cycle1 === undefined) this.remove(c);
        if (cycle0 !== undefined && cycle1 !== undefined) {
          this.conflict ??= { constraint: c, cycles: [this.toCycle(cycle0), this.toCycle(cycle1)], why: new Map(this.why) };
          for (const f of forced.reverse()) this.remove(f);
          return undefined;
        }
        if (cycle0 === undefined && cycle1 === undefined) continue;
        this.add(c, cycle0 === undefined ? 0 : 1);
        this.why.set(c, 'forced');
        forced.push(c);
        changed = true;
      }
    }
    return forced;
  }

  /**
   * One pass without propagation: each constraint takes the alternative that goes forward in
   * the current order when it can, else whichever fits. Valid histories mostly pass here at
   * about one order lookup per edge; on the first constraint neither alternative fits, the
   * pass is undone and the complete search runs.
   */
  greedy(): boolean {
    const taken: number[] = [];
    try {
      for (let c = 0; c < this.constraints.length; c++) {
        if (this.assign[c] !== -1) continue;
        const first: 0 | 1 = this.forward(c, 0) || !this.forward(c, 1) ? 0 : 1;
        if (this.add(c, first) !== undefined && this.add(c, (1 - first) as 0 | 1) !== undefined) {
          for (const t of taken.reverse()) this.remove(t);
          return false;
        }
        taken.push(c);
      }
      return true;
    } catch (e) {
      // Out of time mid-pass: nothing it assigned was decided.
      this.level0 = new Int8Array(this.constraints.length).fill(-1);
      throw e;
    }
  }

  solve(): boolean {
    const forced = this.propagate();
    if (this.decisions === 0) this.level0 = Int8Array.from(this.assign);
    if (forced === undefined) return false;
    const c = this.assign.indexOf(-1);
    if (c < 0) return true;
    const first: 0 | 1 = this.forward(c, 0) || !this.forward(c, 1) ? 0 : 1;
    for (const alt of [first, (1 - first) as 0 | 1]) {
      this.decisions++;
      if (this.add(c, alt) !== undefined) continue;
      this.why.set(c, 'assumed');
      if (this.solve()) return true;
      this.remove(c);
    }
    for (const f of forced.reverse()) this.remove(f);
    return false;
  }
}
