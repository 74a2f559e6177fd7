import type { Cluster } from '../cluster/node.js';
import type { Verdict } from '../checker/verdict.js';
import type { HistoryEvent, Json } from '../history/event.js';
import { NEMESIS } from '../history/event.js';
import type { TestSpec } from '../spec/test-spec.js';
import type { CheckResult } from '../../workloads/workload.js';
import type { RunResult } from '../runner/run.js';
import { exactJsonText, parseExactJson } from '../history/exact-json.js';

export interface RunSummaryInput {
  readonly spec: TestSpec;
  readonly cluster: Cluster;
  readonly run: RunResult;
  readonly checkers: readonly CheckResult[];
  readonly verdict: Verdict;
  /** Why the verdict is `unknown`, when it is. */
  readonly verdictReasons?: readonly string[];
  readonly errors: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
  readonly readMode: string;
  /** Which node logs were copied and which not (absent until they have been collected). */
  readonly nodeLogs?: Json;
}

type Counts = { ok: number; fail: number; info: number };

/** Completions of client operations by function and outcome: `{read: {ok, fail, info}, …}`. */
export function countByFunction(history: readonly HistoryEvent[]): Record<string, Counts> {
  const byF: Record<string, Counts> = {};
  for (const e of history) {
    if (e.process === NEMESIS || e.type === 'invoke') continue;
    (byF[e.f] ??= { ok: 0, fail: 0, info: 0 })[e.type]++;
  }
  return byF;
}

/** The nemesis's completions: what was done, to which nodes, when (ms since the start). */
export function faultLog(history: readonly HistoryEvent[]): Json[] {
  return history
    .filter((e) => e.process === NEMESIS && e.type !== 'invoke')
    .map((e) => ({ atMs: Math.round(e.time / 1e6), f: e.f, value: e.value, ...(e.error === undefined ? {} : { error: e.error }) }));
}

/** What results.json holds: the verdict and each checker's, counts, faults, timings, problems. */
export function summarizeRun(s: RunSummaryInput): Json {
  const { stats } = s.run;
  return parseExactJson(
    exactJsonText({
      name: s.spec.name,
      verdict: s.verdict,
      ...(s.verdictReasons === undefined || s.verdictReasons.length === 0 ? {} : { verdictReasons: s.verdictReasons }),
      checkers: s.checkers,
      system: s.spec.system,
      workload: s.spec.workload,
      readMode: s.readMode,
      seed: s.spec.seed,
      cluster: { id: s.cluster.id, nodes: s.cluster.nodes.map((n) => ({ name: n.name, address: n.address })) },
      stopReason: s.run.stopReason,
      finalPhase: s.run.finalPhase,
      ops: { invoked: stats.invoked, ok: stats.ok, fail: stats.fail, info: stats.info, byFunction: countByFunction(s.run.history), byNode: stats.perNode },
      faults: faultLog(s.run.history),
      timings: Object.fromEntries(Object.entries(s.timings).map(([k, v]) => [k, Math.round(v)])),
      errors: s.errors,
      ...(s.nodeLogs === undefined ? {} : { nodeLogs: s.nodeLogs }),
    }),
  ) as Json;
}
