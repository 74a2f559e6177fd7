import type { Deadline } from './budget.js';
import { type Csr, type EdgeStore, PROCESS, REALTIME, RW, WR, WW, bit, isAntiDependency } from './graph.js';
import type { Arena } from './int-tables.js';
import { type Components, stronglyConnected } from './scc.js';

export interface FoundCycle {
  /** Elle's name with its `-process` / `-realtime` suffix. */
  type: string;
  /** Edge ids in cycle order: the target of each is the source of the next. */
  edges: number[];
}

export interface CycleSearchResult {
  cycles: FoundCycle[];
  /** The budget ran out before every component was searched. */
  incomplete: boolean;
  cyclicComponents: number;
  largestComponent: number;
  /**
   * Cycle types whose search gave up in some component after MAX_TRIES candidate edges
   * (that component still yields a weaker-named cycle). A model forbidding one of these
   * but none of the anomalies found cannot be decided.
   */
  truncated: string[];
}

/** Searches per component for a G-single or G-nonadjacent through a given rw edge. */
const MAX_TRIES = 64;

const WWM = bit(WW);
const WRM = bit(WR);
const RWM = bit(RW);

/**
 * Finds cycles in the dependency graph, one per strongly connected component and anomaly
 * kind, weakest kind first: G0 (ww only), G1c (ww+wr), then for components with an
 * anti-dependency a G-single (exactly one rw), else a G-nonadjacent (no two rw adjacent),
 * else a G2-item. `orderMasks` lists the extra order edges of each phase: 0 (data edges
 * only), then process and/or realtime. A phase reports only cycles that need its order
 * edges, so `G0-realtime` is never a repeat of a plain G0.
 */
export function findCycles(
  g: Csr,
  edges: EdgeStore,
  orderMasks: readonly number[],
  deadline: Deadline,
  arena: Arena,
): CycleSearchResult {
  const search = new PathSearch(g, edges, deadline, arena);
  const cycles: FoundCycle[] = [];
  const truncated = new Set<string>();
  let cyclicComponents = 0;
  let largestComponent = 0;
  const result = (incomplete: boolean): CycleSearchResult => ({
    cycles,
    incomplete,
    cyclicComponents,
    largestComponent,
    truncated: [...truncated],
  });
  for (const order of orderMasks) {
    if (deadline.check()) return result(true);
    const suffix = suffixOf(order);
    const keep = (c: FoundCycle | undefined): void => {
      if (c !== undefined && c.type.endsWith(suffix) && (suffix !== '' || !/-(process|realtime)$/.test(c.type))) cycles.push(c);
    };
    const full = stronglyConnected(g, edges, WWM | WRM | RWM | order, arena);
    const fullGroups = groupNontrivial(full);
    if (fullGroups.length === 0) continue;
    cyclicComponents = Math.max(cyclicComponents, fullGroups.length);
    for (const nodes of fullGroups) largestComponent = Math.max(largestComponent, nodes.length);

    const ww = stronglyConnected(g, edges, WWM | order, arena);
    for (const nodes of groupNontrivial(ww)) {
      const s = nodes[0]!;
      keep(search.cycleThroughNode(s, WWM | order, ww.comp));
      if (deadline.expired()) return result(true);
    }

    const wwwr = stronglyConnected(g, edges, WWM | WRM | order, arena);
    for (const nodes of groupNontrivial(wwwr)) {
      const e = search.edgeInside(nodes, WR, wwwr.comp);
      if (e >= 0) keep(search.cycleThroughEdge(e, WWM | WRM | order, wwwr.comp));
      if (deadline.expired()) return result(true);
    }

    for (const nodes of fullGroups) {
      const rws = search.edgesInside(nodes, RW, full.comp);
      if (rws.length === 0) continue;
      let found: FoundCycle | undefined;
      // An rw edge inside one ww/wr component closes a G-single for sure; other candidates
      // need a search each, so only a bounded number are tried (the rest is reported as truncated).
      const sure = rws.find((e) => wwwr.comp[edges.dst[e]!] === wwwr.comp[edges.src[e]!]);
      if (sure !== undefined) found = search.cycleThroughEdge(sure, WWM | WRM | order, full.comp);
      // Tarjan numbers components in reverse topological order, so a ww/wr path from v back
      // to u only visits components numbered between u's and v's: candidates with v's number
      // below u's cannot close a cycle, and the search for the others stays inside that band,
      // narrowest band first.
      const rank = wwwr.comp;
      const candidates = rws
        .filter((e) => rank[edges.dst[e]!]! > rank[edges.src[e]!]!)
        .sort((a, b) => rank[edges.dst[a]!]! - rank[edges.src[a]!]! - (rank[edges.dst[b]!]! - rank[edges.src[b]!]!));
      for (let i = 0; found === undefined && i < candidates.length; i++) {
        if (i >= MAX_TRIES) {
          truncated.add('G-single-item' + suffix);
          break;
        }
        found = search.cycleThroughEdge(candidates[i]!, WWM | WRM | order, full.comp, rank);
      }
      for (let i = 0; found === undefined && i < rws.length; i++) {
        if (i >= MAX_TRIES) {
          truncated.add('G-nonadjacent-item' + suffix);
          break;
        }
        found = search.nonadjacentCycle(rws[i]!, WWM | WRM | RWM | order, full.comp);
      }
      if (deadline.expired()) return result(true);
      found ??= search.cycleThroughEdge(rws[0]!, WWM | WRM | RWM | order, full.comp);
      keep(found);
    }
  }
  return result(false);
}

function suffixOf(order: number): string {
  if (order & bit(REALTIME)) return '-realtime';
  if (order & bit(PROCESS)) return '-process';
  return '';
}

/**
 * Names a cycle by its edges, as Elle does. `anti` says which edges are anti-dependencies
 * (by default the rw ones); a process or real-time edge derived from a read is one too, and
 * still makes the name carry its suffix.
 */
export function classifyCycle(kinds: readonly number[], anti: readonly boolean[] = kinds.map((k) => k === RW)): string {
  let rw = 0;
  let wr = false;
  let realtime = false;
  let process = false;
  let adjacentRw = false;
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i]!;
    if (anti[i] === true) {
      rw++;
      if (anti[(i + 1) % kinds.length] === true && kinds.length > 1) adjacentRw = true;
    } else if (k === WR) wr = true;
    if (k === REALTIME) realtime = true;
    else if (k === PROCESS) process = true;
  }
  const base = rw === 0 ? (wr ? 'G1c' : 'G0') : rw === 1 ? 'G-single-item' : adjacentRw ? 'G2-item' : 'G-nonadjacent-item';
  return base + (realtime ? '-realtime' : process ? '-process' : '');
}

/** Nodes of each component with more than one node. */
function groupNontrivial(c: Components): number[][] {
  const groups = new Map<number, number[]>();
  for (let v = 0; v < c.comp.length; v++) {
    const id = c.comp[v]!;
    if (c.size[id]! < 2) continue;
    let list = groups.get(id);
    if (list === undefined) groups.set(id, (list = []));
    list.push(v);
  }
  return [...groups.values()];
}

/** Breadth-first searches confined to one component, reusing their arrays across calls. */
class PathSearch {
  // Allocated on the first search, so histories without cycles never pay for them.
  private seen: Int32Array | undefined;
  private parent: Int32Array | undefined;
  private queue: Int32Array | undefined;
  private stamp = 0;
  private seen2: Int32Array | undefined;
  private parent2: Int32Array | undefined;
  private prev2: Int32Array | undefined;
  private queue2: Int32Array | undefined;

  constructor(
    private readonly g: Csr,
    private readonly edges: EdgeStore,
    private readonly deadline: Deadline,
    private readonly arena: Arena,
  ) {}

  edgeInside(nodes: readonly number[], kind: number, comp: Int32Array): number {
    for (const v of nodes) {
      for (let i = this.g.start[v]!; i < this.g.start[v + 1]!; i++) {
        const e = this.g.order[i]!;
        if (this.edges.kind[e] === kind && comp[this.edges.dst[e]!] === comp[v]) return e;
      }
    }
    return -1;
  }

  edgesInside(nodes: readonly number[], kind: number, comp: Int32Array): number[] {
    const out: number[] = [];
    for (const v of nodes) {
      for (let i = this.g.start[v]!; i < this.g.start[v + 1]!; i++) {
        const e = this.g.order[i]!;
        if (this.edges.kind[e] === kind && comp[this.edges.dst[e]!] === comp[v]) out.push(e);
      }
    }
    return out;
  }

  /** A shortest cycle through `s` using edges in `mask` inside s's component. */
  cycleThroughNode(s: number, mask: number, comp: Int32Array): FoundCycle | undefined {
    const path = this.path(s, s, mask, comp);
    return path && this.cycle(path);
  }

  /** A shortest cycle that starts with edge `e` and returns over `mask` edges. */
  cycleThroughEdge(e: number, mask: number, comp: Int32Array, rank?: Int32Array): FoundCycle | undefined {
    const path = this.path(this.edges.dst[e]!, this.edges.src[e]!, mask, comp, rank);
    return path && this.cycle([e, ...path]);
  }

  /**
   * A shortest cycle starting with the rw edge `e` in which no two rw edges are adjacent:
   * a search over (node, whether the last edge was rw) states.
   */
  nonadjacentCycle(e: number, mask: number, comp: Int32Array): FoundCycle | undefined {
    const { start, order } = this.g;
    const { dst, kind, src } = this.edges;
    const n = this.g.n;
    const seen = (this.seen2 ??= this.arena.int32(2 * n));
    const parent = (this.parent2 ??= this.arena.int32(2 * n));
    const prev = (this.prev2 ??= this.arena.int32(2 * n));
    const queue = (this.queue2 ??= this.arena.int32(2 * n));
    const stamp = ++this.stamp;
    const first = dst[e]! * 2 + 1;
    const to = src[e]!;
    const c = comp[to]!;
    let head = 0;
    let tail = 0;
    queue[tail++] = first;
    seen[first] = stamp;
    while (head < tail) {
      const state = queue[head++]!;
      const v = state >> 1;
      const lastRw = state & 1;
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const f = order[i]!;
        const k = kind[f]!;
        if (((mask >> k) & 1) === 0 || (k === RW && lastRw === 1)) continue;
        const w = dst[f]!;
        if (comp[w] !== c) continue;
        // The cycle closes into `e`, an rw edge, so the closing edge must not be rw.
        if (w === to && k !== RW) {
          const path = [f];
          for (let s = state; s !== first; s = prev[s]!) path.push(parent[s]!);
          return this.cycle([e, ...path.reverse()]);
        }
        const next = w * 2 + (k === RW ? 1 : 0);
        if (seen[next] === stamp) continue;
        seen[next] = stamp;
        parent[next] = f;
        prev[next] = state;
        queue[tail++] = next;
      }
      if (this.deadline.expired()) return undefined;
    }
    return undefined;
  }

  /** A shortest path over `mask` edges inside from's component; with `rank`, only through nodes ranked between to's and from's. */
  private path(from: number, to: number, mask: number, comp: Int32Array, rank?: Int32Array): number[] | undefined {
    const { start, order } = this.g;
    const { dst, kind, src } = this.edges;
    const stamp = ++this.stamp;
    const c = comp[from]!;
    const lo = rank === undefined ? 0 : rank[to]!;
    const hi = rank === undefined ? 0 : rank[from]!;
    const seen = (this.seen ??= this.arena.int32(this.g.n));
    const parent = (this.parent ??= this.arena.int32(this.g.n));
    const queue = (this.queue ??= this.arena.int32(this.g.n));
    let head = 0;
    let tail = 0;
    queue[tail++] = from;
    seen[from] = stamp;
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const e = order[i]!;
        if (((mask >> kind[e]!) & 1) === 0) continue;
        const w = dst[e]!;
        if (comp[w] !== c || (rank !== undefined && (rank[w]! < lo || rank[w]! > hi))) continue;
        if (w === to) {
          const path = [e];
          let u = v;
          while (u !== from) {
            const p = parent[u]!;
            path.push(p);
            u = src[p]!;
          }
          return path.reverse();
        }
        if (seen[w] === stamp) continue;
        seen[w] = stamp;
        parent[w] = e;
        queue[tail++] = w;
      }
      if (this.deadline.expired()) return undefined;
    }
    return undefined;
  }

  private cycle(edgeIds: number[]): FoundCycle {
    return {
      type: classifyCycle(
        edgeIds.map((e) => this.edges.kind[e]!),
        edgeIds.map((e) => isAntiDependency(this.edges, e)),
      ),
      edges: edgeIds,
    };
  }
}
