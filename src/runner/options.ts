import { UsageError } from '../errors.js';
import type { HistoryEvent } from '../history/event.js';
import type { EventLog } from '../history/event-log.js';
import type { Generator } from '../generator/types.js';
import type { ClusterView, OpenClient } from './client.js';
import type { Nemesis } from './nemesis.js';
import type { ErrorClassifier } from './outcome.js';
import type { EventSink } from './recorder.js';
import type { RoutingPolicy } from './router.js';
import type { Progress, RunStats } from './stats.js';

export interface RunOptions {
  seed: number;
  /** Client workers (logical processes running one operation at a time). */
  concurrency: number;
  cluster: ClusterView;
  routing: RoutingPolicy;
  openClient: OpenClient;
  /** The main phase: client operations and, under `nemesis(…)`, faults. */
  generator: Generator;
  /** Runs after every fault is healed (and `settleMs`): e.g. a final read of every key. Clients only. */
  final?: Generator;
  nemesis?: Nemesis;
  /** An operation still running after this completes `info` (`timeout`) and its process retires. */
  opTimeoutMs: number;
  /** Hard bound on the main phase, whatever the generator says. */
  timeLimitMs: number;
  /** Hard bound on client operations invoked in the main phase. */
  opLimit?: number;
  /** Bound on the final phase (default 60 s). */
  finalTimeLimitMs?: number;
  /** Pause between healing and the final phase, for the system to recover (default 0). */
  settleMs?: number;
  /** Bound on one nemesis operation, on healing and on teardown (default 60 s). */
  nemesisTimeoutMs?: number;
  /** How often the leader is looked up for `leader` routing (default 1 s). */
  leaderRefreshMs?: number;
  /** Stops issuing operations; in-flight ones still complete (or time out) and are recorded; faults are healed; the final phase is skipped. */
  signal?: AbortSignal;
  /** Told of every history event as it happens (the run store's writer follows the log). */
  sink?: EventSink;
  /** The system adapter's error knowledge, consulted before the defaults. */
  classifiers?: readonly ErrorClassifier[];
  onProgress?: (progress: Progress) => void;
  progressIntervalMs?: number;
}

/**
 * Why the main phase ended: the generator had nothing more, the time or operation limit,
 * `interrupted` (the caller's signal: Ctrl-C), or `error` (something broke: the history could
 * not be written, a loop failed) — the last two never make a run green.
 */
export type StopReason = 'exhausted' | 'time-limit' | 'op-limit' | 'interrupted' | 'error';

export interface RunResult {
  /** The history as event objects, made on first use (the run keeps it in an EventLog). */
  readonly history: HistoryEvent[];
  /** The history as recorded. */
  readonly log: EventLog;
  stopReason: StopReason;
  finalPhase: 'ran' | 'skipped' | 'none';
  stats: RunStats;
  /** Failures while healing, tearing down or closing clients: reported next to the verdict, never instead of it. */
  errors: string[];
  /** What stopped the run early when `stopReason` is `error` (raised by the caller once everything is cleaned up). */
  failure?: unknown;
  durationMs: number;
}

export function validateRunOptions(o: RunOptions): void {
  const positive = (name: string, v: number | undefined, integer = false): void => {
    if (v !== undefined && !(v > 0 && (!integer || Number.isInteger(v)))) {
      throw new UsageError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
    }
  };
  positive('concurrency', o.concurrency, true);
  positive('op timeout', o.opTimeoutMs);
  positive('time limit', o.timeLimitMs);
  positive('op limit', o.opLimit, true);
  positive('final time limit', o.finalTimeLimitMs);
}
