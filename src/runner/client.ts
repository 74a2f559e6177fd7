import type { OpRequest } from '../generator/types.js';
import type { ErrorClassifier, Outcome } from './outcome.js';

/**
 * A client bound to one node, used by one process at a time. A workload turns an
 * operation into capability calls (`register.cas(…)`) and the result into an Outcome; it
 * may also throw, and the runner classifies what it throws (see `classifyError`).
 */
export interface Client {
  readonly node: string;
  invoke(op: OpRequest, signal: AbortSignal): Promise<Outcome>;
  /** This client's own knowledge of its errors, asked before the run's `classifiers` about what `invoke` throws. */
  readonly classifiers?: readonly ErrorClassifier[];
  /** Frees connections. Called when the process retires or the run ends; must not throw for a broken connection. */
  close(): Promise<void>;
}

/**
 * Opens a client for `process` on `node`. It must not perform any of the workload's
 * operations: an open that fails or times out is recorded as a definite `fail`.
 */
export type OpenClient = (node: string, process: number, signal: AbortSignal) => Promise<Client>;

/** What the runner needs to know about the cluster: its node names, and who leads right now. */
export interface ClusterView {
  readonly nodes: readonly string[];
  /** The current leader/primary, or `undefined` when there is none or it cannot be told. */
  leader(signal: AbortSignal): Promise<string | undefined>;
}
