import { workloadSuite } from './workloads-helpers.js';

/**
 * etcd acknowledges a write once a majority has it on disk, and serves linearizable reads
 * and Txns through consensus by default: no acknowledged element may be lost to a killed
 * member, reads of the set follow real time, and list-append transactions are strictly
 * serializable under partitions.
 */
workloadSuite('etcd', 'kill', true);
