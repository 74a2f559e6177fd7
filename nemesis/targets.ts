import { UsageError } from '../src/errors.js';
import type { Rng } from '../src/generator/random.js';

/** Targets named by how many nodes, or which role: every process fault can take them. */
export const NODE_TARGETS = ['one', 'minority', 'majority', 'all', 'leader', 'primaries'] as const;

/**
 * Targets aimed at a state of the system rather than at nodes: each belongs to one fault kind,
 * which holds the fault until the state is reached (or a bound passes) and records whether it was.
 * - `leader-lease` (pause): the leader while leases/sessions are kept alive through it, paused
 *   for longer than the election timeout and the lease TTL;
 * - `lagging-follower` (partition): a follower cut off until the log it misses is compacted
 *   behind a snapshot, so healing makes the leader send it one;
 * - `primary-with-clients` (partition): the primary cut off from the other nodes with the clients
 *   already connected to it, while new connections go to the majority side.
 */
export const STATE_TARGETS = ['leader-lease', 'lagging-follower', 'primary-with-clients'] as const;
export type StateTarget = (typeof STATE_TARGETS)[number];

/** The fault kind each state target belongs to. */
export const STATE_TARGET_KIND: Readonly<Record<StateTarget, 'pause' | 'partition'>> = {
  'leader-lease': 'pause',
  'lagging-follower': 'partition',
  'primary-with-clients': 'partition',
};

/** Which nodes a fault acts on. */
export const TARGET_SPECS = [...NODE_TARGETS, ...STATE_TARGETS] as const;
export type TargetSpec = (typeof TARGET_SPECS)[number];

export function isStateTarget(t: string): t is StateTarget {
  return (STATE_TARGETS as readonly string[]).includes(t);
}

/**
 * The targets a fault kind draws from: the node targets for every process fault, and the
 * state targets that belong to this kind (a partition draws only state targets, from
 * `targetsFor('partition', …)`; its shapes come from `--partition`).
 */
export function targetsFor(kind: string, targets: readonly TargetSpec[]): TargetSpec[] {
  return targets.filter((t) => (isStateTarget(t) ? STATE_TARGET_KIND[t] === kind : kind !== 'partition'));
}

/** A target spec, or the nodes themselves (`nodes:n1,n3`): what a replayed fault names, so it hits the same nodes again. */
export type Targets = TargetSpec | { readonly nodes: readonly string[] };

export const EXPLICIT_NODES = 'nodes:';

export function parseTargetSpec(text: string): Targets {
  if (text.startsWith(EXPLICIT_NODES)) return { nodes: text.slice(EXPLICIT_NODES.length).split(',').filter((n) => n !== '') };
  if ((TARGET_SPECS as readonly string[]).includes(text)) return text as TargetSpec;
  throw new UsageError(`unknown fault target "${text}"`, `use one of: ${TARGET_SPECS.join(', ')}`);
}

/** The explicit form of a list of nodes, as parseTargetSpec reads it. */
export function explicitTargets(nodes: readonly string[]): string {
  return `${EXPLICIT_NODES}${nodes.join(',')}`;
}

/**
 * The nodes to act on, in cluster order. `minority` is the largest minority (⌊(n−1)/2⌋
 * nodes) and `majority` the smallest majority (⌊n/2⌋+1), both chosen at random from the
 * `faults` stream; `leader` is the first of `leaders`, `primaries` all of them — empty
 * when none is known, which the fault records rather than guessing. `leader-lease` and
 * `primary-with-clients` are the leader; `lagging-follower` one follower at random (none
 * while the leader is unknown).
 */
export function selectTargets(spec: Targets, nodes: readonly string[], rng: Rng, leaders: readonly string[] = []): string[] {
  if (typeof spec === 'object') return nodes.filter((node) => spec.nodes.includes(node));
  const n = nodes.length;
  const random = (count: number): string[] => {
    const chosen = new Set(rng.shuffle(nodes).slice(0, count));
    return nodes.filter((node) => chosen.has(node));
  };
  switch (spec) {
    case 'one':
      return random(Math.min(1, n));
    case 'minority':
      return random(Math.floor((n - 1) / 2));
    case 'majority':
      return random(Math.floor(n / 2) + 1);
    case 'all':
      return [...nodes];
    case 'leader':
    case 'leader-lease':
    case 'primary-with-clients':
      return nodes.filter((node) => node === leaders[0]);
    case 'lagging-follower': {
      // A follower: any node but the leader, and none while the leader is unknown (a guess could hit it).
      if (leaders[0] === undefined || !nodes.includes(leaders[0])) return [];
      const followers = nodes.filter((node) => node !== leaders[0]);
      return followers.length === 0 ? [] : [rng.pick(followers)];
    }
    case 'primaries':
      return nodes.filter((node) => leaders.includes(node));
  }
}

/** Whether choosing `spec`'s nodes needs the current leader. */
export function needsLeader(spec: Targets): boolean {
  return spec === 'leader' || spec === 'primaries' || (typeof spec === 'string' && isStateTarget(spec));
}
