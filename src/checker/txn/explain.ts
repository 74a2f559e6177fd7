import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import { EDGE_KIND_NAMES } from './graph.js';
import { type Inference, type TxnTable, txnName, txnRef } from './transactions.js';
import type { CycleStep, TxnAnomaly } from './types.js';

/** A cycle of known edges as an anomaly: its transactions and each edge's reason. */
export function explainCycle(cycle: readonly number[], table: TxnTable, inference: Inference): Omit<TxnAnomaly, 'type'> {
  const { edges } = inference;
  const { ops, mops, txnOfNode } = table;
  const steps = cycle.map((e) => stepOf(e, table, inference));
  const txns = cycle.map((e) => {
    const t = txnOfNode[edges.src[e]!]!;
    return txnRef(ops[t]!, mops[t]! as unknown as Json);
  });
  return { txns, steps, explanation: steps.map((s) => s.why).join('\n') };
}

/** One known edge of a cycle, in words. */
export function stepOf(e: number, table: TxnTable, inference: Inference): CycleStep {
  const { edges } = inference;
  const { ops, txnOfNode } = table;
  const op = (v: number): Operation => ops[txnOfNode[v]!]!;
  const from = op(edges.src[e]!);
  const to = op(edges.dst[e]!);
  const kind = EDGE_KIND_NAMES[edges.kind[e]!]!;
  const step: CycleStep = { from: txnName(from), to: txnName(to), kind, why: '' };
  if (kind === 'process' && edges.a[e]! < 0) {
    step.why = `${step.from} and ${step.to} ran in that order on process ${from.process} ⇒ ${step.from} process→ ${step.to}`;
  } else if (kind === 'realtime' && edges.a[e]! < 0) {
    step.why = `${step.from} completed (event ${from.completeIndex}) before ${step.to} was invoked (event ${to.invokeIndex}) ⇒ ${step.from} realtime→ ${step.to}`;
  } else {
    const { why, key } = inference.explainEdge(e);
    step.why = why;
    step.key = key;
  }
  return step;
}

