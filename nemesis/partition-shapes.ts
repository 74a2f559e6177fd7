import { UsageError } from '../src/errors.js';
import type { Rng } from '../src/generator/random.js';

/**
 * A partition as the nodes will enforce it: node → the nodes it drops traffic from (an
 * iptables DROP for each, both directions). Plain JSON, recorded in the history as is.
 * Every shape here is symmetric: if a drops b, b drops a.
 */
export type Grudge = Readonly<Record<string, readonly string[]>>;

export const PARTITION_SHAPES = ['halves', 'random-halves', 'isolate-one', 'isolate-leader', 'majorities-ring', 'bridge'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

export function parsePartitionShape(text: string): PartitionShape {
  if ((PARTITION_SHAPES as readonly string[]).includes(text)) return text as PartitionShape;
  throw new UsageError(`unknown partition shape "${text}"`, `use one of: ${PARTITION_SHAPES.join(', ')}`);
}

/** Cuts the cluster into `components`: each node drops traffic from every node outside its own. */
export function complete(nodes: readonly string[], components: readonly (readonly string[])[]): Grudge {
  const grudge: Record<string, string[]> = {};
  for (const part of components) {
    for (const node of part) grudge[node] = nodes.filter((other) => !part.includes(other));
  }
  return grudge;
}

/** Two halves, the first ⌊n/2⌋ nodes against the rest: the first half is the minority. */
export function halves(nodes: readonly string[]): Grudge {
  const cut = Math.floor(nodes.length / 2);
  return complete(nodes, [nodes.slice(0, cut), nodes.slice(cut)]);
}

export function randomHalves(nodes: readonly string[], rng: Rng): Grudge {
  return halves(rng.shuffle(nodes));
}

/** `node` alone against the rest (the leader, a primary, a given node). */
export function isolate(nodes: readonly string[], node: string): Grudge {
  if (!nodes.includes(node)) throw new RangeError(`isolate: ${node} is not one of ${nodes.join(', ')}`);
  return complete(nodes, [[node], nodes.filter((n) => n !== node)]);
}

export function isolateOne(nodes: readonly string[], rng: Rng): Grudge {
  return isolate(nodes, rng.pick(nodes));
}

/**
 * Every node sees a majority, and no two see the same one: the nodes are put on a ring
 * (shuffled) and each keeps the k nearest on either side, with 2k+1 the smallest odd
 * majority. A leader elected by one majority is then contested by others. Needs ≥ 4 nodes:
 * with 3, every node's majority would be the whole cluster.
 */
export function majoritiesRing(nodes: readonly string[], rng: Rng): Grudge {
  const n = nodes.length;
  if (n < 4) throw new UsageError(`majorities-ring needs at least 4 nodes, the cluster has ${n}`, 'use --nodes 5, or another partition shape');
  const majority = Math.floor(n / 2) + 1;
  const k = Math.ceil((majority - 1) / 2);
  const ring = rng.shuffle(nodes);
  const grudge: Record<string, string[]> = {};
  ring.forEach((node, i) => {
    const distance = (j: number): number => Math.min((i - j + n) % n, (j - i + n) % n);
    grudge[node] = ring.filter((_, j) => distance(j) > k);
  });
  return grudge;
}

/**
 * Two sides that cannot talk to each other, and one node — the bridge — that talks to
 * both. With the rng the nodes are shuffled first; without it the middle node bridges.
 */
export function bridge(nodes: readonly string[], rng?: Rng): Grudge {
  if (nodes.length < 3) throw new UsageError(`bridge needs at least 3 nodes, the cluster has ${nodes.length}`, 'use --nodes 5, or another partition shape');
  const order = rng === undefined ? [...nodes] : rng.shuffle(nodes);
  const cut = Math.floor((order.length - 1) / 2);
  const left = order.slice(0, cut);
  const right = order.slice(cut + 1);
  const grudge: Record<string, readonly string[]> = { [order[cut] as string]: [] };
  for (const node of left) grudge[node] = right;
  for (const node of right) grudge[node] = left;
  return grudge;
}

/** The grudge for a shape; `isolate-leader` needs the current leader (an Error when there is none, recorded with the fault). */
export function partitionFor(shape: PartitionShape, nodes: readonly string[], rng: Rng, leader?: string): Grudge {
  switch (shape) {
    case 'halves':
      return halves(nodes);
    case 'random-halves':
      return randomHalves(nodes, rng);
    case 'isolate-one':
      return isolateOne(nodes, rng);
    case 'isolate-leader':
      if (leader === undefined) throw new Error('no leader known to isolate');
      return isolate(nodes, leader);
    case 'majorities-ring':
      return majoritiesRing(nodes, rng);
    case 'bridge':
      return bridge(nodes, rng);
  }
}

/** Whether a and b can exchange traffic under the grudge (neither drops the other). */
export function connected(grudge: Grudge, a: string, b: string): boolean {
  return !(grudge[a]?.includes(b) ?? false) && !(grudge[b]?.includes(a) ?? false);
}
