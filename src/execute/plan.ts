import { UsageError } from '../errors.js';
import type { System } from '../systems/system.js';
import { systemNamed } from '../systems/index.js';
import { withSentinel } from '../systems/redis/sentinel.js';
import type { CapabilityProvider } from '../systems/client-options.js';
import { workloadNamed } from '../../workloads/index.js';
import type { Workload, WorkloadOptions } from '../../workloads/workload.js';
import { defaultConsistency } from '../../workloads/append.js';
import { type NemesisPlan } from '../../nemesis/index.js';
import { parseRouting, type RoutingPolicy } from '../runner/router.js';
import { type TestSpec, defaultPartitions } from '../spec/test-spec.js';

/** Everything a run needs resolved from its spec, before any container exists. */
export interface RunPlan {
  readonly spec: TestSpec;
  readonly system: System;
  readonly workload: Workload;
  readonly workloadOptions: WorkloadOptions;
  readonly capabilities: CapabilityProvider;
  readonly readMode: string;
  readonly routing: RoutingPolicy;
  readonly nemesis: NemesisPlan;
}

/**
 * Answers "can this run at all?" from the spec alone: a workload needing a capability the
 * system lacks, or a read mode the system does not have, is a UsageError now — not after a
 * cluster was started.
 */
export function preflight(spec: TestSpec, capabilityProvider: (system: string) => CapabilityProvider): RunPlan {
  const system = spec.redisSentinel ? withSentinel(systemNamed(spec.system)) : systemNamed(spec.system);
  const workload = workloadNamed(spec.workload);
  const capabilities = capabilityProvider(spec.system);
  const missing = workload.needs.filter((c) => !capabilities.supported.includes(c));
  if (missing.length > 0) {
    throw new UsageError(
      `${spec.system} cannot run the ${spec.workload} workload: its client offers no ${missing.join(', ')} capability`,
      `${spec.system} offers: ${capabilities.supported.join(', ') || 'nothing'}`,
    );
  }
  const readMode = spec.readMode ?? capabilities.readModes[0] ?? 'default';
  if (spec.readMode !== undefined && !capabilities.readModes.includes(spec.readMode)) {
    throw new UsageError(`read mode "${spec.readMode}" is unknown for ${spec.system}`, `${spec.system} read modes: ${capabilities.readModes.join(', ')}`);
  }
  const partitions = spec.partitions ?? defaultPartitions(spec.nodes);
  if (spec.nemesis.includes('partition') && partitions.length === 0) {
    throw new UsageError(`no partition shape fits ${spec.nodes} node(s)`, 'use --nodes 3 or more');
  }
  return {
    spec,
    system,
    workload,
    capabilities,
    readMode,
    routing: parseRouting(spec.routing),
    workloadOptions: {
      opsPerKey: spec.opsPerKey,
      threadsPerKey: spec.threadsPerKey,
      opIntervalMs: spec.opIntervalMs,
      lockTtlMs: spec.lockTtlMs,
      checkTimeLimitMs: spec.checkTimeLimitMs,
      consistency: spec.consistency ?? defaultConsistency(spec.system, readMode),
    },
    nemesis: {
      kinds: spec.nemesis,
      intervalMs: spec.nemesisIntervalMs,
      partitions,
      targets: spec.targets,
      clientPauseMs: spec.clientPauseMs ?? 2 * spec.lockTtlMs,
      ...(spec.clockSkewMs === undefined ? {} : { clockSkewMs: spec.clockSkewMs }),
      ...(spec.packet === undefined ? {} : { packet: spec.packet }),
    },
  };
}
