import type { Cluster, Node } from '../cluster/node.js';
import type { Capabilities, CapabilityName } from '../runner/capabilities.js';
import type { ErrorClassifier } from '../runner/outcome.js';

/**
 * The contract between the runner and a database adapter's workload client: the runner
 * asks a system for the capabilities it offers on one node, uses them for one logical
 * process, and closes them. Options that change what a client may observe are part of the
 * test spec and recorded in test.json.
 */
export interface ClientOptions {
  /** The read path, one of the system client's `readModes` by name (default: its first). */
  readonly readMode?: string;
  /** Lock lease / session TTL in ms (lock workload). */
  readonly lockTtlMs?: number;
  /** The values of the system's own options (`--redis-wait 1` → `{wait: 1}`), checked against its descriptor. */
  readonly systemOptions?: Readonly<Record<string, boolean | number | string>>;
  /** Per-call deadline the client library enforces on its own (the runner also aborts at its own timeout). */
  readonly callTimeoutMs: number;
}

/** One process's connection to one node, exposing what the system can honestly do. */
export interface CapabilityClient {
  readonly capabilities: Capabilities;
  /** The adapter's knowledge of its library's errors: definite failures vs indeterminate ones. */
  readonly classifiers: readonly ErrorClassifier[];
  /** Frees the connection; never throws for a broken one. */
  close(): Promise<void>;
}
