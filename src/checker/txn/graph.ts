import { type Arena, HEAP } from './int-tables.js';

/**
 * The dependency graph between transactions, kept in flat typed arrays: millions of edges
 * must not become millions of objects. Nodes are dense integers; an edge is an index into
 * parallel arrays (source, target, kind, and — unless the store is lean — two integers the
 * inference uses to explain it).
 */

export const WW = 0;
export const WR = 1;
export const RW = 2;
export const PROCESS = 3;
export const REALTIME = 4;
export type EdgeKind = typeof WW | typeof WR | typeof RW | typeof PROCESS | typeof REALTIME;
export const EDGE_KIND_NAMES = ['ww', 'wr', 'rw', 'process', 'realtime'] as const;

/** Bit masks selecting edge kinds for a traversal. */
export const bit = (k: EdgeKind): number => 1 << k;
export const DATA_MASK = bit(WW) | bit(WR) | bit(RW);

const NO_REASONS = new Int32Array(0);

export class EdgeStore {
  length = 0;
  src: Int32Array;
  dst: Int32Array;
  kind: Uint8Array;
  /**
   * Inference-specific justification (e.g. a read id and an element id); -1 when unused.
   * Empty in a lean store: list-append works out an edge's reason again when a reported
   * cycle needs it (list-append-explain.ts), and at 10M transactions the two columns
   * would be 600 MB for the few edges ever explained.
   */
  a: Int32Array;
  b: Int32Array;
  /** Outgoing edges, once the cycle search has built them (explanations find parallel edges with it). */
  outgoing: Csr | undefined = undefined;
  readonly counts = [0, 0, 0, 0, 0];
  /**
   * Process or real-time edges that stand for an anti-dependency: an inference ordered a read's
   * version before another writer's by the model's own order (rw-register). They keep their
   * kind (the cycle's name carries the order's suffix) but count as rw — in cycle names and in
   * snapshot isolation's split graph. A set, not a kind: few edges are ever in it.
   */
  readonly orderedAnti = new Set<number>();

  constructor(
    capacity = 1024,
    private readonly arena: Arena = HEAP,
    /** Whether `a` and `b` are kept (false: a lean store, whose `add` drops them). */
    readonly explained = true,
  ) {
    capacity = Math.max(capacity, 16);
    this.src = arena.int32(capacity);
    this.dst = arena.int32(capacity);
    this.kind = arena.uint8(capacity);
    this.a = explained ? arena.int32(capacity) : NO_REASONS;
    this.b = explained ? arena.int32(capacity) : NO_REASONS;
  }

  add(src: number, dst: number, kind: EdgeKind, a = -1, b = -1): void {
    if (this.length === this.src.length) this.grow();
    const i = this.length++;
    this.src[i] = src;
    this.dst[i] = dst;
    this.kind[i] = kind;
    if (this.explained) {
      this.a[i] = a;
      this.b[i] = b;
    }
    this.counts[kind]!++;
  }

  /** The edge's `a`, or -1 in a lean store. */
  reasonA(e: number): number {
    return this.explained ? this.a[e]! : -1;
  }

  /**
   * How many edges before `e` join the same two nodes with the same kind: an inference that
   * works out a reason again takes its own `rank`-th candidate, the one it added as `e`.
   */
  rank(e: number): number {
    const s = this.src[e]!;
    const d = this.dst[e]!;
    const k = this.kind[e]!;
    let r = 0;
    const out = this.outgoing;
    if (out !== undefined && out.order.length === this.length) {
      // A node's outgoing edges are in id order in the CSR.
      for (let i = out.start[s]!; i < out.start[s + 1]!; i++) {
        const x = out.order[i]!;
        if (x >= e) break;
        if (this.dst[x] === d && this.kind[x] === k) r++;
      }
      return r;
    }
    for (let x = 0; x < e; x++) if (this.src[x] === s && this.dst[x] === d && this.kind[x] === k) r++;
    return r;
  }

  private grow(): void {
    const n = this.src.length * 2;
    const grow32 = (old: Int32Array): Int32Array => {
      const next = this.arena.int32(n);
      next.set(old);
      return next;
    };
    this.src = grow32(this.src);
    this.dst = grow32(this.dst);
    if (this.explained) {
      this.a = grow32(this.a);
      this.b = grow32(this.b);
    }
    const kind = this.arena.uint8(n);
    kind.set(this.kind);
    this.kind = kind;
  }
}

/**
 * Whether edge `e` is an anti-dependency: an rw edge, or a process/real-time edge an
 * inference derived from a read (`orderedAnti`). Snapshot isolation treats the two kinds of
 * edge differently (see si-graph.ts).
 */
export function isAntiDependency(edges: EdgeStore, e: number): boolean {
  return edges.kind[e] === RW || edges.orderedAnti.has(e);
}

/** Outgoing edges of every node, compressed sparse row: edges of node v are `order[start[v] .. start[v+1])`. */
export interface Csr {
  n: number;
  start: Int32Array;
  order: Int32Array;
}

export function buildCsr(n: number, edges: EdgeStore, arena: Arena = HEAP): Csr {
  const start = arena.int32(n + 1);
  const m = edges.length;
  for (let e = 0; e < m; e++) start[edges.src[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = arena.int32(n);
  fill.set(start.subarray(0, n));
  const order = arena.int32(m);
  for (let e = 0; e < m; e++) order[fill[edges.src[e]!]!++] = e;
  return { n, start, order };
}
