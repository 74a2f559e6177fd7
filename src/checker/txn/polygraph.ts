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
  | { kind: 'acyclic'; relevant: number }
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
 * Searches for an acyclic choice. `known` edges count when their kind is in `mask`.
 * Constraints outside every strongly connected component of known ∪ all candidate edges
 * cannot be on a cycle (Cobra's pruning) and are settled first.
 */
export function solvePolygraph(n: number, known: EdgeStore, mask: number, constraints: readonly Constraint[], deadline: Deadline): PolygraphResult {
  const relevant = prune(n, known, mask, constraints);
  const s = new Search(n, known, mask, constraints, deadline);
  try {
    for (let c = 0; c < constraints.length; c++) if (!relevant.has(c)) s.settleFree(c);
    const ok = s.solve();
    return ok ? { kind: 'acyclic', relevant: relevant.size } : { ...s.conflict!, kind: 'cyclic', relevant: relevant.size, decisions: s.decisions };
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
  /** Out-adjacency: edge refs (known id, or -1 - candidate index). */
  private readonly out: number[][];
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
    for (let e = 0; e < known.length; e++) if ((mask >> known.kind[e]!) & 1) this.out[known.src[e]!]!.push(e);
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

  /** A path from `from` to `to` as edge refs, or undefined. */
  private path(from: number, to: number): number[] | undefined {
    if (from === to) return [];
    const stamp = ++this.epoch;
    const stack = [from];
    this.stamp[from] = stamp;
    while (stack.length > 0) {
      if (this.deadline.expired()) throw new OutOfTime();
      const v = stack.pop()!;
      for (const ref of this.out[v]!) {
        const w = this.dst(ref);
        if (this.stamp[w] === stamp) continue;
        this.stamp[w] = stamp;
        this.parent[w] = ref;
        if (w === to) {
          const p: number[] = [];
          for (let x = to; x !== from; x = this.src(this.parent[x]!)) p.push(this.parent[x]!);
          return p.reverse();
        }
        stack.push(w);
      }
    }
    return undefined;
  }

  /** Adds an alternative's edges; on a cycle, removes what it added and returns the cycle. */
  private add(c: number, alt: 0 | 1): number[] | undefined {
    const ids = this.candOf[c]![alt];
    for (let i = 0; i < ids.length; i++) {
      const { src, dst } = this.cands[ids[i]!]!.edge;
      const back = this.path(dst, src);
      if (back !== undefined) {
        for (let j = i - 1; j >= 0; j--) this.out[this.cands[ids[j]!]!.edge.src]!.pop();
        return [-1 - ids[i]!, ...back];
      }
      this.out[src]!.push(-1 - ids[i]!);
    }
    this.assign[c] = alt;
    return undefined;
  }

  private remove(c: number): void {
    const ids = this.candOf[c]![this.assign[c] as 0 | 1];
    for (let j = ids.length - 1; j >= 0; j--) this.out[this.cands[ids[j]!]!.edge.src]!.pop();
    this.assign[c] = -1;
    this.why.delete(c);
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

  solve(): boolean {
    const forced = this.propagate();
    if (this.decisions === 0) this.level0 = Int8Array.from(this.assign);
    if (forced === undefined) return false;
    const c = this.assign.indexOf(-1);
    if (c < 0) return true;
    for (const alt of [0, 1] as const) {
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
