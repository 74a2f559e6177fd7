import type { Json } from '../src/history/event.js';
import { exactJsonText, parseExactJson } from '../src/history/exact-json.js';
import type { HistoryEvent } from '../src/history/event.js';
import type { Generator, OpRequest } from '../src/generator/types.js';
import type { ConsistencyModel } from '../src/checker/txn/models.js';
import type { Verdict } from '../src/checker/verdict.js';
import type { CallOptions, Capabilities, CapabilityName } from '../src/runner/capabilities.js';
import type { Outcome } from '../src/runner/outcome.js';

/** What a workload may be tuned with (a subset of the TestSpec). */
export interface WorkloadOptions {
  /** Client operations: register ops per key, and workers per key. */
  readonly opsPerKey: number;
  readonly threadsPerKey: number;
  /** Mean gap between operations across all processes; 0 = as fast as the clients go. */
  readonly opIntervalMs: number;
  /** Lock lease / session TTL. */
  readonly lockTtlMs: number;
  /** The runner's per-operation timeout (an operation that lasts by design, a watch window, stays inside it). */
  readonly opTimeoutMs?: number;
  /** Budget for each checker; past it the verdict is `unknown`. */
  readonly checkTimeLimitMs: number;
  /** Transactional workloads: the consistency model to check against (default strict-serializable). */
  readonly consistency?: ConsistencyModel;
}

/** One checker's answer, as results.json records it. */
export interface CheckResult {
  readonly checker: string;
  readonly verdict: Verdict;
  readonly details: Json;
}

/**
 * A workload: the operations (a generator), the capability they need, how one operation
 * becomes capability calls, and how the history is judged. It knows no database.
 */
export interface Workload {
  readonly name: string;
  readonly summary: string;
  /** Capabilities the system must offer; checked before anything starts. */
  readonly needs: readonly CapabilityName[];
  /**
   * The operation after whose `ok` completion a client pause freezes its process (a lock
   * holder's acquire, a leader's campaign); without it a pause follows any `ok`.
   */
  readonly pauseAfter?: string;
  /** The main phase's client operations (the runner adds the nemesis and the time limit). */
  generator(options: WorkloadOptions): Generator;
  /** After faults are healed: e.g. read every key. */
  final(options: WorkloadOptions): Generator | undefined;
  /**
   * Performs one operation. An expected refusal (a CAS that lost) is returned as `fail`: a throw
   * costs more than the rest of the operation. Throws are classified by the runner
   * (`DefiniteFailure` → fail, else info).
   */
  invoke(caps: Capabilities, op: OpRequest, call: CallOptions, options: WorkloadOptions): Promise<Outcome>;
  check(history: readonly HistoryEvent[], options: WorkloadOptions): Promise<CheckResult[]>;
}

/** The capability, or an error naming it (the runner checked support first, so this is a bug). */
export function need<K extends CapabilityName>(caps: Capabilities, name: K): NonNullable<Capabilities[K]> {
  const cap = caps[name];
  if (cap === undefined) throw new Error(`the client offers no ${name} capability`);
  return cap as NonNullable<Capabilities[K]>;
}

/** JSON-safe copy (drops undefined, turns Infinity into null, keeps integers beyond 2^53 exact) of a checker's result for results.json. */
export function toJson(value: unknown): Json {
  return parseExactJson(exactJsonText(value)) as Json;
}
