import type { NodeResources } from '../cluster/resources.js';
import type { SystemDescriptor } from './descriptor.js';

/**
 * Node limits unless a system or a test sets its own. Memory: well above what a three-node
 * test uses (ZooKeeper's JVM runs with -Xmx384m, the others stay under 100 MiB), well below
 * what starves a laptop. One core each: Redis uses one anyway, and the Raft systems are not
 * measured for throughput. 4096 pids: far above what any of them starts, far below what a
 * fork loop reaches.
 */
export const DEFAULT_NODE_RESOURCES: NodeResources = { memoryMiB: 1024, cpus: 1, pids: 4096 };

/** A system's node limits: its descriptor's own over the defaults. */
export function systemResources(system: Pick<SystemDescriptor, 'resources'> | undefined): NodeResources {
  return { ...DEFAULT_NODE_RESOURCES, ...(system?.resources ?? {}) };
}
