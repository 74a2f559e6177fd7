import { UsageError } from '../errors.js';
import type { Rng } from '../generator/random.js';

/**
 * Where a client sends each operation. It changes what the client sees (a follower's
 * stale read, a partitioned primary's lost write), so it is the user's choice:
 * - `random`: any node, uniformly, per operation;
 * - `round-robin`: the nodes in turn, across all processes;
 * - `weighted:n1=5,n2=1`: per operation, in proportion (unlisted nodes get nothing);
 * - `leader`: the current leader/primary (a random node while none is known);
 * - `sticky`: each worker bound to one node (worker t → node t mod n), kept across the
 *   new process ids a worker takes after an `info`.
 */
export type RoutingPolicy =
  | { kind: 'random' }
  | { kind: 'round-robin' }
  | { kind: 'weighted'; weights: Readonly<Record<string, number>> }
  | { kind: 'leader' }
  | { kind: 'sticky' };

export const ROUTING_KINDS = ['random', 'round-robin', 'weighted', 'leader', 'sticky'] as const;

const ROUTING_HINT = 'use one of: random, round-robin, weighted:n1=5,n2=1, leader, sticky';

export function parseRouting(text: string): RoutingPolicy {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const rest = colon < 0 ? undefined : trimmed.slice(colon + 1);
  switch (kind) {
    case 'random':
    case 'round-robin':
    case 'leader':
    case 'sticky':
      if (rest !== undefined) throw new UsageError(`routing "${text}": ${kind} takes no arguments`, ROUTING_HINT);
      return { kind };
    case 'weighted':
      return { kind, weights: parseWeights(text, rest ?? '') };
    default:
      throw new UsageError(`unknown routing "${text}"`, ROUTING_HINT);
  }
}

function parseWeights(text: string, list: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of list.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (m === null) throw new UsageError(`routing "${text}": "${part}" is not node=weight`, 'e.g. weighted:n1=5,n2=1');
    const [, node, weight] = m as unknown as [string, string, string];
    if (node in weights) throw new UsageError(`routing "${text}": node ${node} is listed twice`);
    weights[node] = Number(weight);
  }
  if (Object.values(weights).every((w) => w === 0)) {
    throw new UsageError(`routing "${text}": all weights are zero`, 'give at least one node a positive weight');
  }
  return weights;
}

export function formatRouting(policy: RoutingPolicy): string {
  if (policy.kind !== 'weighted') return policy.kind;
  return `weighted:${Object.entries(policy.weights)
    .map(([n, w]) => `${n}=${w}`)
    .join(',')}`;
}

/** Picks a node per operation. Random choices come from the run's `routing` stream. */
export class Router {
  private turn = 0;
  private readonly cumulative: { node: string; upTo: number }[] = [];

  constructor(
    readonly policy: RoutingPolicy,
    readonly nodes: readonly string[],
    private readonly rng: Rng,
  ) {
    if (nodes.length === 0) throw new UsageError('routing: the cluster has no nodes');
    if (policy.kind === 'weighted') {
      let total = 0;
      for (const [node, weight] of Object.entries(policy.weights)) {
        if (!nodes.includes(node)) {
          throw new UsageError(`routing ${formatRouting(policy)}: no node named ${node}`, `the nodes are ${nodes.join(', ')}`);
        }
        total += weight;
        if (weight > 0) this.cumulative.push({ node, upTo: total });
      }
    }
  }

  /** The node for the next operation of worker `thread`; `leader` is the current leader if known. */
  pick(thread: number, leader: string | undefined): string {
    switch (this.policy.kind) {
      case 'random':
        return this.rng.pick(this.nodes);
      case 'round-robin':
        return this.nodes[this.turn++ % this.nodes.length] as string;
      case 'sticky':
        return this.nodes[thread % this.nodes.length] as string;
      case 'leader':
        return leader !== undefined && this.nodes.includes(leader) ? leader : this.rng.pick(this.nodes);
      case 'weighted': {
        const total = (this.cumulative[this.cumulative.length - 1] as { upTo: number }).upTo;
        const x = this.rng.float() * total;
        return (this.cumulative.find((c) => x < c.upTo) ?? (this.cumulative[this.cumulative.length - 1] as { node: string })).node;
      }
    }
  }
}
