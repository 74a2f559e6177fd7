import { UsageError } from '../errors.js';
import { type ReadMode, type SystemClient, type SystemDescriptor, loadClientPlugin, loadSystem } from '../systems/index.js';
import { systemResources } from '../systems/resources.js';
import { workloadNamed } from '../../workloads/index.js';
import type { Workload, WorkloadOptions } from '../../workloads/workload.js';
import { ALL_KINDS, NEMESIS_KINDS, type NemesisKind, type NemesisPlan } from '../../nemesis/index.js';
import { DISK_KINDS, withDiskLayer } from '../../nemesis/disk.js';
import { clockUnsupported } from '../../nemesis/clock.js';
import type { ClockScope } from '../../nemesis/kinds.js';
import { DEFAULT_CORRUPT_FLIPS, corruptUnsupported, unknownCorruptFiles } from '../../nemesis/corrupt-file.js';
import { CORRUPT_MODES } from '../../nemesis/corruption.js';
import { DEFAULT_SLOW_DISK } from '../../nemesis/slow-disk.js';
import { STATE_TARGET_KIND, type TargetSpec, isStateTarget, targetsFor } from '../../nemesis/targets.js';
import { parseRouting, type RoutingPolicy } from '../runner/router.js';
import { type TestSpec, defaultPartitions, systemOptionProblems } from '../spec/test-spec.js';
import { didYouMean } from '../spec/choices.js';

/** Everything a run needs resolved from its spec, before any container exists. */
export interface RunPlan {
  readonly spec: TestSpec;
  /** The system, as its options make it (Redis with Sentinel). */
  readonly system: SystemDescriptor;
  /** Its client: the system's own, or a client plugin's. */
  readonly client: SystemClient;
  readonly readMode: ReadMode;
  readonly workload: Workload;
  readonly workloadOptions: WorkloadOptions;
  readonly routing: RoutingPolicy;
  readonly nemesis: NemesisPlan;
  /** Fault kinds `all` would have included that this system cannot take, and why (said, not hidden). */
  readonly skippedFaults: readonly string[];
}

/** What a test may replace in a plan (a client without a database, in unit tests). */
export interface PlanOverrides {
  readonly client?: SystemClient;
}

/**
 * Answers "can this run at all?" from the spec alone: an unknown system or plugin, a workload
 * needing a capability the client lacks, a read mode or an option the system does not have,
 * a fault the system cannot take — each a UsageError now, not after a cluster was started.
 */
export async function planRun(spec: TestSpec, overrides: PlanOverrides = {}): Promise<RunPlan> {
  const loaded = await loadSystem(spec.system);
  const problems = systemOptionProblems(loaded, spec.systemOptions, spec.nodes);
  if (problems[0] !== undefined) throw new UsageError(`systemOptions.${problems[0].option}: ${problems[0].message}`, 'see `faultline run --help`');
  const adapted = loaded.adapt?.(spec.systemOptions) ?? loaded;
  const client = overrides.client ?? (await pluginClient(spec, adapted)) ?? adapted.client;
  const workload = workloadNamed(spec.workload);
  const missing = workload.needs.filter((c) => !client.capabilities.includes(c));
  if (missing.length > 0) {
    throw new UsageError(
      `${adapted.name} cannot run the ${spec.workload} workload: its client offers no ${missing.join(', ')} capability`,
      `${adapted.name} offers: ${client.capabilities.join(', ') || 'nothing'}`,
    );
  }
  const readMode = spec.readMode === undefined ? client.readModes[0] : client.readModes.find((m) => m.name === spec.readMode);
  if (readMode === undefined) {
    const names = client.readModes.map((m) => m.name);
    throw new UsageError(`read mode "${spec.readMode ?? ''}" is unknown for ${adapted.name}${didYouMean(spec.readMode, names)}`, `${adapted.name} read modes: ${names.join(', ')}`);
  }
  const { kinds, skipped } = faultKinds(spec.nemesis, adapted, spec.clockScope);
  // Disk faults: the database's data directory sits on faultline-fs from its first start on.
  const system = kinds.some((k) => DISK_KINDS.includes(k)) ? withDiskLayer(adapted) : adapted;
  const partitions = spec.partitions ?? defaultPartitions(spec.nodes);
  if (kinds.includes('partition') && partitions.length === 0) {
    throw new UsageError(`no partition shape fits ${spec.nodes} node(s)`, 'use --nodes 3 or more');
  }
  const declared = (system.corruptibleFiles ?? []).map((f) => f.name);
  const corruptFiles = spec.corrupt?.files ?? declared;
  if (kinds.includes('corrupt-file')) {
    const unknown = unknownCorruptFiles(system, corruptFiles);
    if (unknown !== undefined) throw new UsageError(unknown, '--corrupt-file takes the names the system declares');
  }
  if (spec.targets.includes('leader') && system.leader === undefined && kinds.some((k) => k !== 'partition' && k !== 'client-pause')) {
    throw new UsageError(`${system.name} cannot tell its leader: the "leader" target needs one`, 'use --targets one, minority, majority or all');
  }
  checkTargets(system, kinds, spec.targets, spec.systemOptions);
  const snapshots = system.states?.snapshots;
  const snapshotCount = snapshots === undefined ? undefined : spec.systemOptions[snapshots.option];
  return {
    spec,
    system,
    client,
    readMode,
    workload,
    routing: parseRouting(spec.routing),
    workloadOptions: {
      opsPerKey: spec.opsPerKey,
      threadsPerKey: spec.threadsPerKey,
      opIntervalMs: spec.opIntervalMs,
      lockTtlMs: spec.lockTtlMs,
      opTimeoutMs: spec.opTimeoutMs,
      checkTimeLimitMs: spec.checkTimeLimitMs,
      consistency: spec.consistency ?? readMode.consistency,
    },
    nemesis: {
      kinds,
      intervalMs: spec.nemesisIntervalMs,
      partitions,
      targets: spec.targets,
      clientPauseMs: spec.clientPauseMs ?? 2 * spec.lockTtlMs,
      ...(spec.clockSkewMs === undefined ? {} : { clockSkewMs: spec.clockSkewMs }),
      ...(spec.clockScope === undefined ? {} : { clockScope: spec.clockScope }),
      ...(spec.packet === undefined ? {} : { packet: spec.packet }),
      ...(kinds.includes('slow-disk') ? { slowDisk: { ...DEFAULT_SLOW_DISK, ...spec.slowDisk } } : {}),
      ...(kinds.includes('corrupt-file') ? { corrupt: { files: corruptFiles, modes: spec.corrupt?.modes ?? [...CORRUPT_MODES], flips: spec.corrupt?.flips ?? DEFAULT_CORRUPT_FLIPS } } : {}),
      aim: { leaseTtlMs: spec.lockTtlMs, ...(typeof snapshotCount === 'number' ? { snapshotCount } : {}) },
    },
    skippedFaults: skipped,
  };
}

async function pluginClient(spec: TestSpec, system: SystemDescriptor): Promise<SystemClient | undefined> {
  if (spec.client === undefined) return undefined;
  const plugin = await loadClientPlugin(spec.client);
  if (plugin.system !== system.name) throw new UsageError(`the client plugin ${spec.client} is for ${plugin.system}, not ${system.name}`);
  return plugin.client;
}

/** Why `system` cannot take a fault kind, or undefined when it can. */
export function faultUnsupported(system: SystemDescriptor, kind: NemesisKind): string | undefined {
  switch (kind) {
    case 'kill':
      return system.kill === undefined ? `${system.name} has no way to kill its process` : undefined;
    case 'pause':
      return system.pause === undefined || system.resume === undefined ? `${system.name} has no way to pause and resume its process` : undefined;
    case 'clock':
      return clockUnsupported(system);
    case 'member':
      return system.membership === undefined ? `${system.name} has no runtime membership change faultline can drive` : undefined;
    case 'lose-unfsynced':
      if (system.kill === undefined) return `${system.name} has no way to kill its process`;
      return system.dataDir === undefined ? `${system.name} declares no data directory for faultline-fs to sit under` : undefined;
    case 'slow-disk':
      return system.dataDir === undefined ? `${system.name} declares no data directory for faultline-fs to sit under` : undefined;
    case 'corrupt-file':
      return corruptUnsupported(system);
    default:
      return undefined;
  }
}

/**
 * The kinds to run: each one named must be supported (else a UsageError saying why); `all`
 * stands for every kind the system supports, and the others are listed as skipped.
 */
function faultKinds(requested: readonly string[], system: SystemDescriptor, clockScope: ClockScope | undefined): { kinds: NemesisKind[]; skipped: string[] } {
  const all = requested.includes('all');
  const kinds: NemesisKind[] = [];
  const skipped: string[] = [];
  for (const kind of NEMESIS_KINDS) {
    if (!requested.includes(kind) && !(all && ALL_KINDS.includes(kind))) continue;
    // A host clock moves the whole machine: whatever the database reads its time through, it sees it.
    const why = kind === 'clock' && clockScope === 'host' ? undefined : faultUnsupported(system, kind);
    if (why === undefined) kinds.push(kind);
    else if (all && !requested.includes(kind)) skipped.push(`${kind}: ${why}`);
    else throw new UsageError(`${system.name} cannot take the ${kind} fault: ${why}`, `leave ${kind} out of --nemesis (\`all\` skips it)`);
  }
  return { kinds, skipped };
}

/** Fault kinds that choose their nodes from `--targets`. */
const TARGETED_KINDS: readonly NemesisKind[] = ['kill', 'pause', 'clock', 'packet', 'member', 'lose-unfsynced'];

/** Why `system` cannot take a state target, or undefined when it can. */
export function stateTargetUnsupported(system: SystemDescriptor, target: TargetSpec, options: Readonly<Record<string, unknown>>): string | undefined {
  if (!isStateTarget(target)) return undefined;
  if (system.leader === undefined) return `${system.name} cannot tell its leader`;
  const states = system.states;
  switch (target) {
    case 'leader-lease':
      return states?.leaderLease === undefined ? `${system.name} declares no election timeout and no lease evidence faultline can read` : undefined;
    case 'lagging-follower':
      if (states?.snapshots === undefined) return `${system.name} declares no snapshot option and no way to see a snapshot sent`;
      return typeof options[states.snapshots.option] === 'number' ? undefined : `it needs a small snapshot interval: set --${system.name}-${states.snapshots.option} (e.g. 100)`;
    case 'primary-with-clients':
      return states?.primaryClients === undefined ? `${system.name} cannot list the clients connected to its primary` : undefined;
  }
}

/**
 * Every state target must suit the system and name a fault kind that is run; every kind that
 * chooses nodes must have a target it can take (a pause cannot draw from \`lagging-follower\` alone).
 */
function checkTargets(system: SystemDescriptor, kinds: readonly NemesisKind[], targets: readonly TargetSpec[], options: Readonly<Record<string, unknown>>): void {
  for (const target of targets) {
    if (!isStateTarget(target)) continue;
    const kind = STATE_TARGET_KIND[target];
    if (!kinds.includes(kind)) throw new UsageError(`the ${target} target aims a ${kind} fault, and --nemesis has no ${kind}`, `add ${kind} to --nemesis`);
    const why = stateTargetUnsupported(system, target, options);
    if (why !== undefined) throw new UsageError(`${system.name} cannot take the ${target} target: ${why}`, 'see docs/faults.md, "Faults aimed at a state"');
  }
  for (const kind of kinds) {
    if (TARGETED_KINDS.includes(kind) && targetsFor(kind, targets).length === 0) {
      throw new UsageError(`the ${kind} fault has no target among --targets ${targets.join(',')}`, 'add one of one, minority, majority, all, leader');
    }
  }
}

/** Each node's limits: the test's own, over the system's defaults. */
export function planResources(plan: RunPlan): { memoryMiB: number; cpus: number; pids: number } {
  const d = systemResources(plan.system);
  return { memoryMiB: plan.spec.nodeMemoryMiB ?? d.memoryMiB, cpus: plan.spec.nodeCpus ?? d.cpus, pids: plan.spec.nodePids ?? d.pids };
}
