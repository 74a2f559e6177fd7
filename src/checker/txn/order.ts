import { type EdgeStore, PROCESS, REALTIME } from './graph.js';
import type { Arena } from './int-tables.js';
import { OK } from './columns.js';
import type { TxnTable } from './table.js';

/**
 * Each process's transactions in the order it ran them. An `info` transaction may take effect
 * at any time after its invocation, even after its process's next one, so it only receives an
 * edge: its successor gets one from the process's last transaction that did complete.
 */
export function addProcessEdges(table: TxnTable, edges: EdgeStore): void {
  const last = new Map<number, number>();
  const { process, type } = table.cols;
  for (let v = 0; v < table.txnOfNode.length; v++) {
    const t = table.txnOfNode[v]!;
    const prev = last.get(process[t]!);
    if (prev !== undefined) edges.add(prev, v, PROCESS);
    if (type[t] === OK) last.set(process[t]!, v);
  }
}

/**
 * Real-time order, transitively reduced: A → B when A completed before B was invoked.
 * Sweeping invocations in time order, the "frontier" holds completed transactions not yet
 * implied by a later one; each invocation gets an edge from every frontier member, and a
 * completion retires its own predecessors, so the frontier stays about as large as the
 * concurrency and the edge count near-linear. Indeterminate transactions never complete,
 * so they only receive edges.
 */
export function addRealtimeEdges(table: TxnTable, edges: EdgeStore, arena: Arena): void {
  const { txnOfNode } = table;
  const { completeIndex, type, call: calls, ret } = table.cols;
  const n = txnOfNode.length;
  // Events are in time order, so completion indexes order the completions without a sort.
  let maxIndex = 0;
  for (let v = 0; v < n; v++) maxIndex = Math.max(maxIndex, completeIndex[txnOfNode[v]!]!);
  const byCompletion = arena.int32(maxIndex + 1, -1);
  for (let v = 0; v < n; v++) {
    const t = txnOfNode[v]!;
    if (type[t] === OK) byCompletion[completeIndex[t]!] = v;
  }
  const predFrom = arena.int32(n);
  const predTo = arena.int32(n);
  const frontier = new Set<number>();
  let p = 0;
  for (let v = 0; v < n; v++) {
    const call = calls[txnOfNode[v]!]!;
    for (; p <= maxIndex; p++) {
      const a = byCompletion[p]!;
      if (a < 0) continue;
      if (ret[txnOfNode[a]!]! >= call) break;
      for (let e = predFrom[a]!; e < predTo[a]!; e++) frontier.delete(edges.src[e]!);
      frontier.add(a);
    }
    predFrom[v] = edges.length;
    for (const x of frontier) edges.add(x, v, REALTIME);
    predTo[v] = edges.length;
  }
}
