import type { Cluster } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import { type FaultKind, faultCycles } from '../src/generator/faults.js';
import type { Rng } from '../src/generator/random.js';
import type { Generator } from '../src/generator/types.js';
import { type Nemesis, combineNemeses } from '../src/runner/nemesis.js';
import type { StartOptions, SystemDescriptor as System } from '../src/systems/descriptor.js';
import { type ClientFreezer, PauseBoard, clientPauseNemesis, pausable } from './client-pause.js';
import { clockNemesis, clockStartOptions, drawClockChange } from './clock.js';
import { type CorruptPlan, DEFAULT_CORRUPT_FLIPS, corruptFileNemesis, drawCorruptChoice } from './corrupt-file.js';
import { loseUnfsyncedNemesis } from './disk.js';
import { DEFAULT_SLOW_DISK, type SlowDisk, slowDiskNemesis } from './slow-disk.js';
import { killNemesis } from './kill.js';
import { memberNemesis } from './member.js';
import { type PacketFault, packetFaultJson, packetNemesis } from './packet.js';
import type { PartitionShape } from './partition-shapes.js';
import { partitionNemesis } from './partition.js';
import { pauseNemesis } from './pause.js';
import type { ClockScope, NemesisKind } from './kinds.js';
import { hostClockNemesis, sshHostClockOps } from './host-clock.js';
import { type TargetSpec, targetsFor } from './targets.js';
import type { AimSettings } from './aims.js';

export { ALL_KINDS, CLOCK_SCOPES, type ClockScope, NEMESIS_KINDS, type NemesisKind, expandNemesisKinds } from './kinds.js';

export interface NemesisPlan {
  readonly kinds: readonly NemesisKind[];
  /** Mean time between fault steps (a start or a stop). */
  readonly intervalMs: number;
  /** Shapes a partition is drawn from. */
  readonly partitions: readonly PartitionShape[];
  /** Targets a kill, pause, clock or packet fault is drawn from. */
  readonly targets: readonly TargetSpec[];
  /** How long a client-pause stalls a process. */
  readonly clientPauseMs?: number;
  /** How far a clock fault moves a node's clock (±). */
  readonly clockSkewMs?: number;
  /** What a clock fault moves (default: the database process's clock). */
  readonly clockScope?: ClockScope;
  /** `clockScope: host`: the control machine's boot id, whose kernel's clock is never set. */
  readonly controlBootId?: string;
  /** What a packet fault does to the targets' traffic. */
  readonly packet?: PacketFault;
  /** slow-disk: the delays faultline-fs adds. */
  readonly slowDisk?: SlowDisk;
  /** corrupt-file: the declared files and the modes each fault is drawn from (checked against the system by the run plan). */
  readonly corrupt?: CorruptPlan;
  /** What faults aimed at a state (`leader-lease`, `lagging-follower`, …) need to know of the run. */
  readonly aim?: AimSettings;
}

export const DEFAULT_CLIENT_PAUSE_MS = 5_000;
export const DEFAULT_CLOCK_SKEW_MS = 60_000;
export const DEFAULT_PACKET: PacketFault = { loss: 0.2, delayMs: 50, rateKbit: 10_000 };

/** Each kind's start value, drawn from the `faults` stream where it is random. */
function startValue(plan: NemesisPlan, name: NemesisKind, rng: Rng): Json {
  // Each kind draws only the targets it can take: state targets belong to one kind each.
  const targets = (): TargetSpec => rng.pick(targetsFor(name, plan.targets));
  switch (name) {
    case 'partition': {
      // State targets for partitions stand for a partition of their own; named, they replace the shapes.
      const aimed = targetsFor('partition', plan.targets);
      return aimed.length > 0 ? rng.pick(aimed) : rng.pick(plan.partitions);
    }
    case 'kill':
    case 'pause':
    case 'member':
    case 'lose-unfsynced':
      return targets();
    case 'client-pause':
      return plan.clientPauseMs ?? DEFAULT_CLIENT_PAUSE_MS;
    case 'clock':
      return { ...drawClockChange(rng, plan.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS, targets()) };
    case 'packet':
      return packetFaultJson({ ...(plan.packet ?? DEFAULT_PACKET), targets: targets() });
    case 'slow-disk':
      return { targets: targets(), ...(plan.slowDisk ?? DEFAULT_SLOW_DISK) };
    case 'corrupt-file': {
      if (plan.corrupt === undefined) throw new Error('corrupt-file needs the files and modes of the run plan');
      return drawCorruptChoice(rng, plan.corrupt, targets());
    }
  }
}

/**
 * The fault schedule only — pure, no cluster needed: every ~interval one kind, at random,
 * starts (with a shape, target or amount drawn from the `faults` stream) or stops. Kinds
 * overlap freely, so `all` gives combined schedules.
 */
export function faultSchedule(plan: NemesisPlan): Generator {
  const kinds: FaultKind[] = plan.kinds.map((name) => ({
    name,
    start: (ctx) => startValue(plan, name, ctx.rng),
  }));
  return faultCycles(kinds, plan.intervalMs);
}

/** What the run sets up around the nemesis: how the database starts, and the board client pauses go through. */
export interface NemesisWiring {
  /** Start options for the database (libfaketime when the clock nemesis is planned on a system it moves). */
  readonly startOptions: StartOptions | undefined;
  /** Set when client-pause is planned: wrap the client generator with `wrap`. */
  readonly board: PauseBoard | undefined;
  readonly wrap: (clients: Generator) => Generator;
}

/**
 * `pauseAfter`: the operation after which a client pause begins (`acquire` for lock
 * workloads), undefined for any; `freezer`: how a paused worker's client is frozen whole.
 */
export function nemesisWiring(plan: NemesisPlan, system: System, pauseAfter: string | undefined, freezer?: ClientFreezer): NemesisWiring {
  const board = plan.kinds.includes('client-pause') ? new PauseBoard(pauseAfter, freezer) : undefined;
  return {
    // A host clock needs nothing in the database's process: the whole machine moves.
    startOptions: plan.kinds.includes('clock') && plan.clockScope !== 'host' ? clockStartOptions(system) : undefined,
    board,
    wrap: (clients) => (board === undefined ? clients : pausable(clients, board)),
  };
}

/** The nemesis that carries out `faultSchedule(plan)` on a real cluster; undefined without faults. */
export function buildNemesis(plan: NemesisPlan, system: System, cluster: Cluster, wiring?: NemesisWiring): Nemesis | undefined {
  if (plan.kinds.length === 0) return undefined;
  const make: Record<NemesisKind, () => Nemesis> = {
    partition: () => partitionNemesis(cluster, system, plan.aim),
    kill: () => killNemesis(system, cluster, wiring?.startOptions),
    pause: () => pauseNemesis(system, cluster, plan.aim),
    clock: () => (plan.clockScope === 'host' ? hostClockNemesis(cluster.nodes.map((n) => n.name), sshHostClockOps(cluster, hostClockGuard(plan))) : clockNemesis(system, cluster)),
    packet: () => packetNemesis(cluster),
    member: () => memberNemesis(system, cluster),
    'lose-unfsynced': () => loseUnfsyncedNemesis(system, cluster, wiring?.startOptions),
    'slow-disk': () => slowDiskNemesis(system, cluster),
    'corrupt-file': () => corruptFileNemesis(system, cluster, plan.corrupt?.flips ?? DEFAULT_CORRUPT_FLIPS, wiring?.startOptions),
    'client-pause': () => {
      if (wiring?.board === undefined) throw new Error('client-pause needs the pause board of nemesisWiring() wrapped around the client generator');
      return clientPauseNemesis(wiring.board);
    },
  };
  return combineNemeses(Object.fromEntries(plan.kinds.map((k) => [k, make[k]()])));
}

function hostClockGuard(plan: NemesisPlan): string {
  if (plan.controlBootId === undefined) throw new Error('host clock faults need the control machine\'s boot id (NemesisPlan.controlBootId), so that its own clock is never set');
  return plan.controlBootId;
}
