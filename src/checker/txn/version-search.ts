import type { Key } from '../../history/event.js';
import type { Deadline } from './budget.js';
import { classifyCycle } from './cycles.js';
import { explainCycle, stepOf } from './explain.js';
import { DATA_MASK, EDGE_KIND_NAMES, PROCESS, REALTIME, RW, bit, isAntiDependency } from './graph.js';
import { type ChoiceWhy, type Constraint, type CycleEdge, type PolygraphResult, solvePolygraph } from './polygraph.js';
import { type SplitStep, joinCandidate, joinCycle, knownCycle, splitConstraint, splitGraph } from './si-graph.js';
import type { TxnTable } from './table.js';
import { type Inference, type VersionChoices, show } from './transactions.js';
import type { CycleStep, TxnAnomaly } from './types.js';

export interface VersionSearchOutcome {
  /** Whether a search over open write pairs ran (not only a check of the known graph). */
  searched: boolean;
  /** Open write pairs (constraints), and those inside a cyclic component (searched). */
  constraints: number;
  relevant: number;
  decisions: number;
  elapsedMs: number;
  /** No write order leaves the graph acyclic: one of the cycles, explained. */
  anomaly?: TxnAnomaly;
  /** The budget ran out: the keys whose order was still open. */
  undecidedKeys?: Key[];
  /** Undecided because the keys had more open pairs than the search takes on, not for time. */
  tooManyPairs?: boolean;
}

/**
 * How the version-order search decides a model:
 *  - `serializable`: models that forbid every dependency cycle (G2-item and everything weaker,
 *    with the model's order suffixes): valid iff some version order of the open keys leaves
 *    data + order edges acyclic;
 *  - `snapshot`: models that forbid every cycle without two adjacent anti-dependencies
 *    (G-nonadjacent and weaker) but allow write skew: valid iff some version order leaves the
 *    split graph of si-graph.ts acyclic (Cerone & Gotsman);
 *  - `partial`: models that forbid some cycles only by their count of anti-dependencies
 *    (consistent view forbids G-single): an acyclic order proves them, none existing proves
 *    nothing (the cycles may all be allowed ones), so the caller answers `unknown` then.
 * Weaker models forbid only ww/wr cycles (G0, G1c), which no version order can avoid or cause
 * beyond the known edges: a topological order of the known graph orders every key's writes.
 */
export interface SearchMode {
  kind: 'serializable' | 'snapshot' | 'partial';
  /** The edge kinds that count. */
  mask: number;
}

export function searchModeFor(forbidden: ReadonlySet<string>): SearchMode | undefined {
  const withOrder = (name: string): number =>
    DATA_MASK | (forbidden.has(`${name}-process`) ? bit(PROCESS) : 0) | (forbidden.has(`${name}-realtime`) ? bit(REALTIME) | bit(PROCESS) : 0);
  if (forbidden.has('G2-item')) return { kind: 'serializable', mask: withOrder('G2-item') };
  if (forbidden.has('G-nonadjacent-item')) return { kind: 'snapshot', mask: withOrder('G-nonadjacent-item') };
  if (forbidden.has('G-single-item')) return { kind: 'partial', mask: withOrder('G-single-item') };
  return undefined;
}

/**
 * Decides the open part of rw-register's version order by a polygraph search (see
 * polygraph.ts). In `snapshot` mode it always answers (list-append too, whose order is known):
 * whether the known graph already has a forbidden cycle, then the search; in the other modes
 * it answers undefined when there was nothing to search.
 */
export function searchVersionOrder(table: TxnTable, inference: Inference, mode: SearchMode, deadline: Deadline): VersionSearchOutcome | undefined {
  if (mode.kind === 'snapshot') return searchSnapshot(table, inference, mode.mask, deadline);
  const choices = inference.versionChoices;
  if (choices === undefined) return undefined;
  const started = performance.now();
  const { constraints, skipped } = bounded(choices, false);
  if (constraints.length === 0 && skipped.length === 0) return undefined;
  const r = solvePolygraph(table.txnOfNode.length, inference.edges, mode.mask, constraints, deadline);
  // Every order the inferences already fixed: no search was needed.
  if (r.kind === 'acyclic' && r.implied === constraints.length && skipped.length === 0) return undefined;
  return withSkipped(outcomeOf(r, constraints, table, inference, started, (cycle) => [...cycle], ''), skipped);
}

/**
 * The constraints the search takes on: all, or without the keys that would take it past its
 * size limit (`skipped`). Leaving a key's constraints out only removes edges, so a cycle the
 * search still cannot avoid is one under every order of the skipped keys too (invalid stands);
 * no cycle proves nothing about them (`withSkipped`: unknown).
 */
function bounded(choices: VersionChoices, everyPair: boolean): { constraints: Constraint[]; skipped: Key[] } {
  const over = choices.oversized?.(everyPair) ?? [];
  return { constraints: choices.constraints(everyPair, over.length > 0 ? new Set(over) : undefined), skipped: over.map((k) => choices.keyName(k)) };
}

function withSkipped(outcome: VersionSearchOutcome, skipped: readonly Key[]): VersionSearchOutcome {
  if (skipped.length === 0 || outcome.anomaly !== undefined) return outcome;
  outcome.searched = true;
  // Past the time limit as well: the time is the reason given, the skipped keys among the open ones.
  if (outcome.undecidedKeys === undefined) outcome.tooManyPairs = true;
  outcome.undecidedKeys = [...new Set([...(outcome.undecidedKeys ?? []), ...skipped])];
  return outcome;
}

/**
 * Snapshot isolation: the split graph of the known edges must be acyclic (a cycle there holds
 * under every version order), and then some order of each key's committed writes must keep it
 * so. Every pair of writers counts here, read or not: first-committer-wins orders them too.
 */
function searchSnapshot(table: TxnTable, inference: Inference, mask: number, deadline: Deadline): VersionSearchOutcome {
  const started = performance.now();
  const n = table.txnOfNode.length;
  const split = splitGraph(n, inference.edges, mask);
  const outcome: VersionSearchOutcome = { searched: false, constraints: 0, relevant: 0, decisions: 0, elapsedMs: 0 };
  const fixed = knownCycle(split, 2 * n);
  if (fixed !== undefined) {
    const cycle = joinCycle(fixed.map((e) => ({ src: split.src[e]!, dst: split.dst[e]!, x: e < n ? undefined : split.a[e]! })));
    const { txns, steps = [], explanation } = explainCycle(cycle, table, inference);
    outcome.anomaly = {
      type: classifyCycle(
        cycle.map((e) => inference.edges.kind[e]!),
        cycle.map((e) => isAntiDependency(inference.edges, e)),
      ),
      txns,
      steps,
      explanation: `a dependency cycle in which no two anti-dependencies (rw) are adjacent, which snapshot isolation forbids under every order of the writes:\n${explanation}`,
    };
    const key = steps.find((s) => s.key !== undefined)?.key;
    if (key !== undefined) outcome.anomaly.key = key;
  } else {
    const choices = inference.versionChoices;
    const { constraints, skipped } = choices === undefined ? { constraints: [], skipped: [] } : bounded(choices, true);
    if (constraints.length > 0) {
      const r = solvePolygraph(2 * n, split, -1 >>> 0, constraints.map(splitConstraint), deadline);
      if (r.kind !== 'acyclic' || r.implied < constraints.length) {
        const join = (cycle: readonly CycleEdge[]): CycleEdge[] =>
          joinCycle<CycleEdge>(
            cycle.map((x): SplitStep<CycleEdge> =>
              'known' in x
                ? { src: split.src[x.known]!, dst: split.dst[x.known]!, x: x.known < n ? undefined : { known: split.a[x.known]! } }
                : { src: x.edge.src, dst: x.edge.dst, x: { ...x, edge: joinCandidate(x.edge) } },
            ),
          );
        return withSkipped(outcomeOf(r, constraints, table, inference, started, join, ' under snapshot isolation (no cycle without two adjacent anti-dependencies)'), skipped);
      }
    }
    withSkipped(outcome, skipped);
  }
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

function outcomeOf(
  r: PolygraphResult,
  constraints: readonly Constraint[],
  table: TxnTable,
  inference: Inference,
  started: number,
  join: (cycle: readonly CycleEdge[]) => CycleEdge[],
  under: string,
): VersionSearchOutcome {
  const choices = inference.versionChoices!;
  const outcome: VersionSearchOutcome = {
    searched: true,
    constraints: constraints.length - (r.kind === 'acyclic' ? r.implied : 0),
    relevant: r.relevant,
    decisions: r.kind === 'cyclic' ? r.decisions : 0,
    elapsedMs: 0,
  };
  if (r.kind === 'timeout') {
    outcome.undecidedKeys = [...new Set(r.undecided.map((c) => constraints[c]!.key))].map((k) => choices.keyName(k));
  } else if (r.kind === 'cyclic') {
    const c = constraints[r.constraint]!;
    const cycles = r.cycles.map(join);
    const steps = cycles.map((cycle) => stepsOf(cycle, table, inference, r.why, r.constraint));
    const first = cycles[0]!;
    const txns = first.map((x) => {
      const t = table.txnOfNode['known' in x ? inference.edges.src[x.known]! : x.edge.src]!;
      return table.ref(t);
    });
    const assumed = [...r.why.values()].filter((w) => w === 'assumed').length;
    outcome.anomaly = {
      type: classifyCycle(
        first.map((x) => ('known' in x ? inference.edges.kind[x.known]! : x.edge.kind)),
        first.map((x) => ('known' in x ? isAntiDependency(inference.edges, x.known) : x.edge.kind === RW)),
      ),
      txns,
      steps: steps[0]!,
      key: choices.keyName(c.key),
      explanation:
        `no order of the writes explains the reads${under} (polygraph search over ${r.relevant} open write pair(s) of key(s) ` +
        `${[...new Set(constraints.map((x) => show(choices.keyName(x.key))))].join(', ')}` +
        `${assumed > 0 ? `; shown under ${assumed} assumed order(s), the search refuted the others too` : ''}). ` +
        `With ${choices.describe(c, 0)}:\n${steps[0]!.map((s) => s.why).join('\n')}\n` +
        `With ${choices.describe(c, 1)}:\n${steps[1]!.map((s) => s.why).join('\n')}`,
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
