import { UsageError } from '../src/errors.js';
import type { Rng } from '../src/generator/random.js';

/** Which nodes a kill or pause acts on. */
export const TARGET_SPECS = ['one', 'minority', 'majority', 'all', 'leader', 'primaries'] as const;
export type TargetSpec = (typeof TARGET_SPECS)[number];

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
 * when none is known, which the fault records rather than guessing.
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
      return nodes.filter((node) => node === leaders[0]);
    case 'primaries':
      return nodes.filter((node) => leaders.includes(node));
  }
}
