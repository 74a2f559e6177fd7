import { workloadSuite } from './workloads-helpers.js';

/**
 * Consul (Raft) acknowledges a write once a quorum has it, so no acknowledged element may be lost to a
 * killed server. Default-mode reads may be stale for a short while after a leader is cut off, so the reads
 * of the set during the run get no asserted verdict, and transactions are checked as serializable (the
 * default for the default read mode; read-only ones are served as reads).
 */
workloadSuite('consul', 'kill', false);
