import type { Csr, EdgeStore } from './graph.js';
import { type Arena, HEAP } from './int-tables.js';

export interface Components {
  /** Component id of each node. Ids are in reverse topological order: if component X reaches component Y ≠ X, then id(X) > id(Y). */
  comp: Int32Array;
  count: number;
  size: Int32Array;
}

/**
 * Tarjan's strongly connected components over the edges whose kind is in `mask`, with an
 * explicit stack instead of recursion so that a million-node chain cannot overflow the call stack.
 */
export function stronglyConnected(g: Csr, edges: EdgeStore, mask: number, arena: Arena = HEAP): Components {
  const { n, start, order } = g;
  const { dst, kind } = edges;
  const index = arena.int32(n, -1);
  const low = arena.int32(n);
  const comp = arena.int32(n, -1);
  const stack = arena.int32(n);
  const callNode = arena.int32(n);
  const callEdge = arena.int32(n);
  const sizes: number[] = [];
  let sp = 0;
  let next = 0;
  let count = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = start[root]!;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    while (depth >= 0) {
      const v = callNode[depth]!;
      const end = start[v + 1]!;
      let i = callEdge[depth]!;
      let descended = false;
      while (i < end) {
        const e = order[i++]!;
        if (((mask >> kind[e]!) & 1) === 0) continue;
        const w = dst[e]!;
        if (index[w] === -1) {
          callEdge[depth] = i;
          index[w] = low[w] = next++;
          stack[sp++] = w;
          depth++;
          callNode[depth] = w;
          callEdge[depth] = start[w]!;
          descended = true;
          break;
        }
        if (comp[w] === -1 && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--sp]!;
          comp[w] = count;
          size++;
        } while (w !== v);
        sizes.push(size);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { comp, count, size: Int32Array.from(sizes) };
}
