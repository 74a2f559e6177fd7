/**
 * The on-disk and in-memory unit of a history: one event, as recorded.
 *
 * A client operation is two events from the same process: an `invoke`, then exactly one
 * completion (`ok`, `fail` or `info`). `fail` means it certainly did not take effect;
 * `info` means the outcome is unknown — it may take effect at any time after its
 * invocation, or never — and that process never issues again (the worker continues under
 * a fresh process id). Nemesis events use the process `"nemesis"`.
 */

/**
 * Any JSON value: what a database can hand back. Integers beyond 2^53 are `bigint`s, so they
 * compare exactly (see exact-json.ts); every other number is a `number`.
 */
export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

export const NEMESIS = 'nemesis' as const;
export type ProcessId = number | typeof NEMESIS;

/** Keys of independent sub-histories (per-key decomposition). */
export type Key = string | number;

export interface HistoryEvent {
  /** Position in the history, 0-based, dense. */
  index: number;
  /** Monotonic nanoseconds since the run started. Histories without times use `index`. */
  time: number;
  process: ProcessId;
  type: EventType;
  /** The operation's function: `read`, `write`, `cas`, `acquire`, `txn`, … */
  f: string;
  value: Json;
  key?: Key;
  /** The node the client talked to. */
  node?: string;
  /** Why an operation failed or is indeterminate (`timeout`, `connection-lost`, …). */
  error?: string;
}

export function isClientEvent(e: HistoryEvent): e is HistoryEvent & { process: number } {
  return e.process !== NEMESIS;
}
