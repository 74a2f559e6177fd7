import type { Key } from '../../history/event.js';
import type { Deadline } from './budget.js';
import { classifyCycle } from './cycles.js';
import { stepOf } from './explain.js';
import { DATA_MASK, EDGE_KIND_NAMES, PROCESS, REALTIME, bit } from './graph.js';
import { type ChoiceWhy, type CycleEdge, solvePolygraph } from './polygraph.js';
import type { TxnTable } from './table.js';
import { type Inference, show } from './transactions.js';
import type { CycleStep, TxnAnomaly } from './types.js';

export interface VersionSearchOutcome {
  /** Open write pairs (constraints), and those inside a cyclic component (searched). */
  constraints: number;
  relevant: number;
  decisions: number;
  elapsedMs: number;
  /** No write order leaves the graph acyclic: one of the cycles, explained. */
  anomaly?: TxnAnomaly;
  /** The budget ran out: the keys whose order was still open. */
  undecidedKeys?: Key[];
}

/**
 * Whether the models that forbid every dependency cycle (G2-item and everything weaker, with
 * the model's order suffixes) need the search: for them a history is valid iff some version
 * order of the open keys leaves data + order edges acyclic. Weaker models forbid only ww/wr
 * cycles (G0, G1c), which no version order can avoid or cause beyond the known edges: a
 * topological order of the known graph orders every key's writes without a cycle.
 */
export function searchMaskFor(forbidden: ReadonlySet<string>): number | undefined {
  if (!forbidden.has('G2-item')) return undefined;
  let mask = DATA_MASK;
  if (forbidden.has('G2-item-process')) mask |= bit(PROCESS);
  if (forbidden.has('G2-item-realtime')) mask |= bit(REALTIME) | bit(PROCESS);
  return mask;
}

/**
 * For models that forbid some dependency cycles but allow others (snapshot isolation allows
 * write skew; consistent view allows every G2): the mask under which an acyclic order would
 * prove them too. Such an order proves the model; none existing proves nothing (the cycles
 * may all be allowed ones), so the caller answers `unknown` then, never `valid`.
 */
export function partialSearchMaskFor(forbidden: ReadonlySet<string>): number | undefined {
  if (forbidden.has('G2-item') || !forbidden.has('G-single-item')) return undefined;
  let mask = DATA_MASK;
  if (forbidden.has('G-single-item-process')) mask |= bit(PROCESS);
  if (forbidden.has('G-single-item-realtime')) mask |= bit(REALTIME) | bit(PROCESS);
  return mask;
}

/** Decides the open part of rw-register's version order by a polygraph search (see polygraph.ts). */
export function searchVersionOrder(table: TxnTable, inference: Inference, mask: number, deadline: Deadline): VersionSearchOutcome | undefined {
  const choices = inference.versionChoices;
  if (choices === undefined) return undefined;
  const started = performance.now();
  const constraints = choices.constraints();
  if (constraints.length === 0) return undefined;
  const r = solvePolygraph(table.txnOfNode.length, inference.edges, mask, constraints, deadline);
  // Every order the inferences already fixed: no search was needed.
  if (r.kind === 'acyclic' && r.implied === constraints.length) return undefined;
  const outcome: VersionSearchOutcome = {
    constraints: constraints.length - (r.kind === 'acyclic' ? r.implied : 0),
    relevant: r.relevant,
    decisions: r.kind === 'cyclic' ? r.decisions : 0,
    elapsedMs: 0,
  };
  if (r.kind === 'timeout') {
    outcome.undecidedKeys = [...new Set(r.undecided.map((c) => constraints[c]!.key))].map((k) => choices.keyName(k));
  } else if (r.kind === 'cyclic') {
    const c = constraints[r.constraint]!;
    const steps = r.cycles.map((cycle) => stepsOf(cycle, table, inference, r.why, r.constraint));
    const first = r.cycles[0];
    const txns = first.map((x) => {
      const t = table.txnOfNode['known' in x ? inference.edges.src[x.known]! : x.edge.src]!;
      return table.ref(t);
    });
    const assumed = [...r.why.values()].filter((w) => w === 'assumed').length;
    outcome.anomaly = {
      type: classifyCycle(
        first.map((x) => ('known' in x ? inference.edges.kind[x.known]! : x.edge.kind)),
        first.map((x) => 'known' in x && inference.orderedAntiDependency?.(x.known) === true),
      ),
      txns,
      steps: steps[0],
      key: choices.keyName(c.key),
      explanation:
        `no order of the writes explains the reads (polygraph search over ${r.relevant} open write pair(s) of key(s) ` +
        `${[...new Set(constraints.map((x) => show(choices.keyName(x.key))))].join(', ')}` +
        `${assumed > 0 ? `; shown under ${assumed} assumed order(s), the search refuted the others too` : ''}). ` +
        `With ${choices.describe(c, 0)}:\n${steps[0].map((s) => s.why).join('\n')}\n` +
        `With ${choices.describe(c, 1)}:\n${steps[1].map((s) => s.why).join('\n')}`,
    };
  }
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

const NOTE: Record<ChoiceWhy, string> = {
  forced: ' (forced: the other order of these writes closes a cycle)',
  assumed: ' (assumed)',
  free: '',
};

function stepsOf(cycle: readonly CycleEdge[], table: TxnTable, inference: Inference, why: ReadonlyMap<number, ChoiceWhy>, conflict: number): CycleStep[] {
  return cycle.map((x) => {
    if ('known' in x) return stepOf(x.known, table, inference);
    const { why: text, key } = inference.versionChoices!.explainChoice(x.edge);
    const from = table.name(table.txnOfNode[x.edge.src]!);
    const to = table.name(table.txnOfNode[x.edge.dst]!);
    const note = x.constraint === conflict ? '' : NOTE[why.get(x.constraint) ?? 'free'];
    return { from, to, kind: EDGE_KIND_NAMES[x.edge.kind]!, key, why: text + note };
  });
}
