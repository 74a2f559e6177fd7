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
  /**
   * The read path, in each system's own words:
   * etcd `linearizable` (default) | `serializable`;
   * consul `default` (default) | `consistent` | `stale`;
   * zookeeper `sync` (default: sync before read) | `nosync`;
   * redis `primary` (default) | `replica`.
   */
  readonly readMode?: string;
  /** Lock lease / session TTL in ms (lock workload). */
  readonly lockTtlMs?: number;
  /** Redis: `WAIT n` after each register write; fewer acknowledgements make the write's outcome unknown. */
  readonly redisWaitReplicas?: number;
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

/** Implemented by each system (in `src/systems/<db>/capabilities.ts`). */
export interface CapabilityProvider {
  /** What this system offers, answered before anything starts. */
  readonly supported: readonly CapabilityName[];
  /** Read modes this system accepts (the first is the default). */
  readonly readModes: readonly string[];
  /** Connects one process's client to `node` (it must not perform any workload operation). */
  open(cluster: Cluster, node: Node, options: ClientOptions): Promise<CapabilityClient>;
}
