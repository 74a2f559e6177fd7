import { type EdgeStore, PROCESS, REALTIME } from './graph.js';
import type { Arena } from './int-tables.js';
import type { TxnTable } from './transactions.js';

/**
 * Each process's transactions in the order it ran them. An `info` transaction may take effect
 * at any time after its invocation, even after its process's next one, so it only receives an
 * edge: its successor gets one from the process's last transaction that did complete.
 */
export function addProcessEdges(table: TxnTable, edges: EdgeStore): void {
  const last = new Map<number, number>();
  for (let v = 0; v < table.txnOfNode.length; v++) {
    const op = table.ops[table.txnOfNode[v]!]!;
    const prev = last.get(op.process);
    if (prev !== undefined) edges.add(prev, v, PROCESS);
    if (op.type === 'ok') last.set(op.process, v);
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
  const { ops, txnOfNode } = table;
  const n = txnOfNode.length;
  // Events are in time order, so completion indexes order the completions without a sort.
  let maxIndex = 0;
  for (let v = 0; v < n; v++) maxIndex = Math.max(maxIndex, ops[txnOfNode[v]!]!.completeIndex);
  const byCompletion = arena.int32(maxIndex + 1, -1);
  for (let v = 0; v < n; v++) {
    const op = ops[txnOfNode[v]!]!;
    if (op.type === 'ok') byCompletion[op.completeIndex] = v;
  }
  const predFrom = arena.int32(n);
  const predTo = arena.int32(n);
  const frontier = new Set<number>();
  let p = 0;
  for (let v = 0; v < n; v++) {
    const call = ops[txnOfNode[v]!]!.call;
    for (; p <= maxIndex; p++) {
      const a = byCompletion[p]!;
      if (a < 0) continue;
      if (ops[txnOfNode[a]!]!.ret >= call) break;
      for (let e = predFrom[a]!; e < predTo[a]!; e++) frontier.delete(edges.src[e]!);
      frontier.add(a);
    }
    predFrom[v] = edges.length;
    for (const x of frontier) edges.add(x, v, REALTIME);
    predTo[v] = edges.length;
  }
}
