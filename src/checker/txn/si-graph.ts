import { type EdgeKind, EdgeStore, RW, WW, buildCsr, isAntiDependency } from './graph.js';
import type { CandidateEdge, Constraint } from './polygraph.js';

/**
 * Snapshot isolation as the acyclicity of one graph (Cerone & Gotsman's characterisation, as
 * PolySI encodes it): every transaction T becomes two nodes, its snapshot s(T) = 2T and its
 * commit c(T) = 2T + 1, with s(T) → c(T). A dependency A → B (ww, wr, or an order edge between
 * whole transactions) becomes c(A) → s(B): A committed before B took its snapshot (for ww by
 * first-committer-wins, which lets no two writers of a key overlap). An anti-dependency A rw→ B
 * becomes s(A) → c(B): A's snapshot did not yet hold B's write. A topological order of this
 * graph is a schedule of snapshots and commits that explains every read, and a cycle in it is
 * a dependency cycle in which every anti-dependency follows a dependency (no two adjacent rw
 * edges), the cycles snapshot isolation forbids.
 */
export const snapshotNode = (v: number): number => 2 * v;
export const commitNode = (v: number): number => 2 * v + 1;

/** The split graph of the known edges: edge ids below `n` are the s(T) → c(T) edges; every other edge's `a` is its original edge id. */
export function splitGraph(n: number, known: EdgeStore, mask: number): EdgeStore {
  const g = new EdgeStore(n + known.length);
  for (let v = 0; v < n; v++) g.add(snapshotNode(v), commitNode(v), WW);
  for (let e = 0; e < known.length; e++) {
    const kind = known.kind[e]! as EdgeKind;
    if (((mask >> kind) & 1) === 0) continue;
    const s = known.src[e]!;
    const d = known.dst[e]!;
    if (isAntiDependency(known, e)) g.add(snapshotNode(s), commitNode(d), kind, e);
    else g.add(commitNode(s), snapshotNode(d), kind, e);
  }
  return g;
}

/** A version-order alternative's edge in the split graph (constraints hold ww and rw edges only). */
function splitCandidate(x: CandidateEdge): CandidateEdge {
  return x.kind === RW ? { ...x, src: snapshotNode(x.src), dst: commitNode(x.dst) } : { ...x, src: commitNode(x.src), dst: snapshotNode(x.dst) };
}

/** The same candidate between transactions again. */
export function joinCandidate(x: CandidateEdge): CandidateEdge {
  return { ...x, src: x.src >> 1, dst: x.dst >> 1 };
}

export function splitConstraint(c: Constraint): Constraint {
  return { key: c.key, alts: [c.alts[0].map(splitCandidate), c.alts[1].map(splitCandidate)] };
}

/** A cycle of the known split graph (its edge ids, in order), or undefined when it is acyclic. */
export function knownCycle(g: EdgeStore, nodes: number): number[] | undefined {
  const csr = buildCsr(nodes, g);
  const indeg = new Int32Array(nodes);
  for (let e = 0; e < g.length; e++) indeg[g.dst[e]!]!++;
  const queue = new Int32Array(nodes);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < nodes; v++) if (indeg[v] === 0) queue[tail++] = v;
  while (head < tail) {
    const v = queue[head++]!;
    for (let i = csr.start[v]!; i < csr.start[v + 1]!; i++) if (--indeg[g.dst[csr.order[i]!]!]! === 0) queue[tail++] = g.dst[csr.order[i]!]!;
  }
  if (tail === nodes) return undefined;
  // Every node Kahn's pass left has a predecessor it left too: walking back from one repeats a node.
  const into: number[][] = [];
  for (let e = 0; e < g.length; e++) if (indeg[g.dst[e]!]! > 0 && indeg[g.src[e]!]! > 0) (into[g.dst[e]!] ??= []).push(e);
  let v = 0;
  while (indeg[v] === 0) v++;
  const seenAt = new Map<number, number>();
  const back: number[] = [];
  while (!seenAt.has(v)) {
    seenAt.set(v, back.length);
    const e = into[v]![0]!;
    back.push(e);
    v = g.src[e]!;
  }
  // back[i] enters the i-th node visited; the cycle is the edges from v's visit on, forward.
  return back.slice(seenAt.get(v)!).reverse();
}

/** An edge of a cycle in the split graph; `x` undefined for an s(T) → c(T) edge. */
export interface SplitStep<T> {
  src: number;
  dst: number;
  x: T | undefined;
}

/**
 * A split-graph cycle as a cycle between transactions: where it passes both s(T) and c(T) of
 * one T other than by the edge between them, the stretch from s(T) to c(T) is cut out (the
 * s(T) → c(T) edge closes it the short way, and what is left is still a cycle), until each
 * transaction appears once; then the s → c edges go.
 */
export function joinCycle<T>(cycle: readonly SplitStep<T>[]): T[] {
  let steps = [...cycle];
  for (;;) {
    const at = new Map<number, number>();
    steps.forEach((s, i) => at.set(s.src, i));
    let cut = false;
    for (const [node, i] of at) {
      if ((node & 1) !== 0 || steps[i]!.x === undefined) continue;
      const j = at.get(node + 1);
      if (j === undefined) continue;
      // Keep c(T) … → s(T), then s(T) → c(T).
      const kept: SplitStep<T>[] = [];
      for (let k = j; k !== i; k = (k + 1) % steps.length) kept.push(steps[k]!);
      kept.push({ src: node, dst: node + 1, x: undefined });
      steps = kept;
      cut = true;
      break;
    }
    if (!cut) return steps.filter((s) => s.x !== undefined).map((s) => s.x!);
  }
}
