import { workloadSuite } from './workloads-helpers.js';

/**
 * ZooKeeper acknowledges a write once a quorum has logged it, so no acknowledged element may be lost to a killed
 * server. Its reads are sequentially consistent (sync narrows, but does not close, the gap), so the
 * reads of the set during the run get no asserted verdict. Every transaction, read-only ones too, commits
 * a multi through the leader: strictly serializable under partitions.
 */
workloadSuite('zookeeper', 'kill', false);
