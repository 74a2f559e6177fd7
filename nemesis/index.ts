import type { Cluster } from '../src/cluster/node.js';
import { type FaultKind, faultCycles } from '../src/generator/faults.js';
import type { Generator } from '../src/generator/types.js';
import { type Nemesis, combineNemeses } from '../src/runner/nemesis.js';
import type { System } from '../src/systems/system.js';
import { killNemesis } from './kill.js';
import type { PartitionShape } from './partition-shapes.js';
import { partitionNemesis } from './partition.js';
import { pauseNemesis } from './pause.js';
import type { TargetSpec } from './targets.js';

export type NemesisKind = 'partition' | 'kill' | 'pause';

export interface NemesisPlan {
  readonly kinds: readonly NemesisKind[];
  /** Mean time between fault steps (a start or a stop). */
  readonly intervalMs: number;
  /** Shapes a partition is drawn from. */
  readonly partitions: readonly PartitionShape[];
  /** Targets a kill or pause is drawn from. */
  readonly targets: readonly TargetSpec[];
}

/**
 * The fault schedule only — pure, no cluster needed: every ~interval one kind, at random,
 * starts (with a shape or target drawn from the `faults` stream) or stops.
 */
export function faultSchedule(plan: NemesisPlan): Generator {
  const kinds: FaultKind[] = plan.kinds.map((name) => ({
    name,
    start: (ctx) => (name === 'partition' ? ctx.rng.pick(plan.partitions) : ctx.rng.pick(plan.targets)),
  }));
  return faultCycles(kinds, plan.intervalMs);
}

/** The nemesis that carries out `faultSchedule(plan)` on a real cluster; undefined without faults. */
export function buildNemesis(plan: NemesisPlan, system: System, cluster: Cluster): Nemesis | undefined {
  if (plan.kinds.length === 0) return undefined;
  const make: Record<NemesisKind, () => Nemesis> = {
    partition: () => partitionNemesis(cluster),
    kill: () => killNemesis(system, cluster),
    pause: () => pauseNemesis(system, cluster),
  };
  return combineNemeses(Object.fromEntries(plan.kinds.map((k) => [k, make[k]()])));
}
