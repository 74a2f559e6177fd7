import type { Command } from 'commander';
import { type NodeResources, parseMemoryMiB } from '../../cluster/resources.js';
import { UsageError } from '../../errors.js';
import { TestSpecSchema } from '../../spec/test-spec.js';
import type { SystemDescriptor } from '../../systems/index.js';
import { systemResources } from '../../systems/resources.js';

/** `--node-memory`, `--node-cpus`, `--node-pids` as typed (shared by `run` and `cluster up`). */
export interface NodeLimitFlags {
  nodeMemory?: string;
  nodeCpus?: string;
  nodePids?: string;
}

export function addNodeLimitOptions(command: Command): Command {
  return command
    .option('--node-memory <size>', "memory limit of each node, swap included: 512m, 2g (a bare number is MiB; default: the system's, 1g)")
    .option('--node-cpus <n>', "CPU limit of each node in cores, e.g. 0.5 (default: the system's, 1)")
    .option('--node-pids <n>', "limit on processes and threads of each node (default: the system's, 4096)");
}

/** The flags that were given, as spec fields (validated with the spec). */
export function nodeLimitInput(f: NodeLimitFlags): { nodeMemoryMiB?: number; nodeCpus?: number; nodePids?: number } {
  return {
    ...(f.nodeMemory === undefined ? {} : { nodeMemoryMiB: memoryMiB(f.nodeMemory) }),
    ...(f.nodeCpus === undefined ? {} : { nodeCpus: number('--node-cpus', f.nodeCpus) }),
    ...(f.nodePids === undefined ? {} : { nodePids: number('--node-pids', f.nodePids) }),
  };
}

/** The limits for a cluster outside a test (`cluster up`): the flags over the system's defaults, checked as the spec checks them. */
export function nodeLimits(system: SystemDescriptor, f: NodeLimitFlags): NodeResources {
  const input = nodeLimitInput(f);
  const shape = TestSpecSchema.shape;
  for (const [field, flag] of [['nodeMemoryMiB', '--node-memory'], ['nodeCpus', '--node-cpus'], ['nodePids', '--node-pids']] as const) {
    const r = shape[field].safeParse(input[field]);
    if (!r.success) throw new UsageError(`${flag}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  const d = systemResources(system);
  return { memoryMiB: input.nodeMemoryMiB ?? d.memoryMiB, cpus: input.nodeCpus ?? d.cpus, pids: input.nodePids ?? d.pids };
}

function memoryMiB(text: string): number {
  const mib = parseMemoryMiB(text);
  if (mib === undefined) throw new UsageError(`--node-memory must be a size like 512m or 2g, got "${text}"`);
  return mib;
}

function number(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${text}"`);
  return n;
}
