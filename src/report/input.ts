import type { Explanation, PartitionResult } from '../checker/linearizability/result.js';
import type { TxnAnomaly } from '../checker/txn/types.js';
import type { Verdict } from '../checker/verdict.js';
import type { HistoryEvent, Json, Key } from '../history/event.js';

/**
 * Everything the HTML report shows, already extracted from a run directory. Rendering is a
 * pure function of this value; `loadRun` is the only place that reads files to build it.
 */
export interface ReportInput {
  /** The test's name (test.json, else results.json, else the directory name). */
  name: string;
  /** ISO time the run started, when known. */
  startedAt?: string;
  /** The overall verdict; never `valid` unless results.json says so and every checker agrees. */
  verdict: Verdict;
  /** Why the verdict is what it is, in plain words, when that is not obvious (crash, no checkers). */
  verdictReason?: string;
  summary: RunSummary;
  events: readonly HistoryEvent[];
  checkers: CheckerReport[];
  faults: FaultInterval[];
  counts: OpCounts;
  /** Things a reader should know: a torn history, a missing results.json, teardown failures. */
  problems: string[];
}

export interface RunSummary {
  system?: string;
  /** Versions: `faultline` and each system's version string. */
  versions: Record<string, string>;
  nodes: string[];
  workload?: string;
  nemesis: string[];
  seed?: number;
  /** Milliseconds from the first to the last event of the history. */
  durationMs: number;
  stopReason?: string;
  /** The rest of the spec, flattened to `key: value` lines (concurrency, routing, timings, …). */
  settings: Array<[string, string]>;
}

export interface Outcomes {
  ok: number;
  fail: number;
  info: number;
}

export interface OpCounts {
  total: Outcomes;
  byFunction: Record<string, Outcomes>;
  byNode: Record<string, Outcomes>;
}

/** A fault in effect: from its start's invocation to its stop's (or a heal's) completion. */
export interface FaultInterval {
  fault: string;
  /** ms since the run started. */
  startMs: number;
  endMs: number;
  /** Which nodes it hit, as the nemesis recorded (`n1, n3`), when recorded. */
  targets: string;
  /** The fault never ended before the history did. */
  open: boolean;
}

export type CheckerReport =
  | (CheckerBase & { kind: 'linearizability'; model: string; failures: LinearizabilityFailure[]; shrunk?: ShrunkView })
  | (CheckerBase & { kind: 'txn'; consistency: string; anomalyCounts: Record<string, number>; notModels: string[]; anomalies: TxnAnomaly[] })
  | (CheckerBase & { kind: 'other' });

/** The smallest failing history the run's checker found (see checker/shrink). */
export interface ShrunkView {
  events: Json[];
  ops: number;
  of: number;
  minimal: boolean;
}

interface CheckerBase {
  name: string;
  verdict: Verdict;
  /** The verdict in plain words. */
  sentence: string;
  /** The checker's result as recorded, for the raw view. */
  details: Json;
}

/** One key (or the whole history) that is not linearizable, with the counterexample. */
export interface LinearizabilityFailure {
  key: Key | null;
  verdict: Verdict;
  reason?: string;
  explanation?: Explanation;
  /** The explanation as one checkable sentence (values, node, history index, faults in effect). */
  sentence?: string;
}

export type { PartitionResult };
