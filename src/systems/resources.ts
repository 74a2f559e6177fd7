import type { NodeResources } from '../cluster/resources.js';
import type { SystemName } from './index.js';

/**
 * Each system's node limits unless a test sets its own. Memory: well above what a
 * three-node test uses (ZooKeeper's JVM runs with -Xmx384m, the others stay under 100 MiB),
 * well below what starves a laptop. One core each: Redis uses one anyway, and the Raft
 * systems are not measured for throughput. 4096 pids: far above what any of them starts,
 * far below what a fork loop reaches.
 */
export const DEFAULT_NODE_RESOURCES: Readonly<Record<SystemName, NodeResources>> = {
  redis: { memoryMiB: 1024, cpus: 1, pids: 4096 },
  zookeeper: { memoryMiB: 1024, cpus: 1, pids: 4096 },
  etcd: { memoryMiB: 1024, cpus: 1, pids: 4096 },
  consul: { memoryMiB: 1024, cpus: 1, pids: 4096 },
};
