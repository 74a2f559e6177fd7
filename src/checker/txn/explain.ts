import { EDGE_KIND_NAMES } from './graph.js';
import type { TxnTable } from './table.js';
import type { Inference } from './transactions.js';
import type { CycleStep, TxnAnomaly } from './types.js';

/** A cycle of known edges as an anomaly: its transactions and each edge's reason. */
export function explainCycle(cycle: readonly number[], table: TxnTable, inference: Inference): Omit<TxnAnomaly, 'type'> {
  const { edges } = inference;
  const steps = cycle.map((e) => stepOf(e, table, inference));
  const txns = cycle.map((e) => table.ref(table.txnOfNode[edges.src[e]!]!));
  return { txns, steps, explanation: steps.map((s) => s.why).join('\n') };
}

/** One known edge of a cycle, in words. */
export function stepOf(e: number, table: TxnTable, inference: Inference): CycleStep {
  const { edges } = inference;
  const { txnOfNode, cols } = table;
  const from = txnOfNode[edges.src[e]!]!;
  const to = txnOfNode[edges.dst[e]!]!;
  const kind = EDGE_KIND_NAMES[edges.kind[e]!]!;
  const step: CycleStep = { from: table.name(from), to: table.name(to), kind, why: '' };
  if (kind === 'process' && edges.reasonA(e) < 0) {
    step.why = `${step.from} and ${step.to} ran in that order on process ${cols.process[from]} ⇒ ${step.from} process→ ${step.to}`;
  } else if (kind === 'realtime' && edges.reasonA(e) < 0) {
    step.why = `${step.from} completed (event ${cols.completeIndex[from]}) before ${step.to} was invoked (event ${cols.invokeIndex[to]}) ⇒ ${step.from} realtime→ ${step.to}`;
  } else {
    const { why, key } = inference.explainEdge(e);
    step.why = why;
    step.key = key;
  }
  return step;
}

