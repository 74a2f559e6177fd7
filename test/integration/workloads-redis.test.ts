import { workloadSuite } from './workloads-helpers.js';

/**
 * This Redis has one primary and asynchronous replicas, no failover, and no persistence (appendonly no):
 * a killed primary comes back empty, which no verdict could survive, so the fault here is a partition.
 * The clients reach the primary from the host, so every add, read and Lua transaction is served by the one
 * primary, which runs scripts one at a time: nothing lost, reads in real-time order, strictly serializable.
 */
workloadSuite('redis', 'partition', true);
