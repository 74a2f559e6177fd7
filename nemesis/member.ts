import type { Cluster } from '../src/cluster/node.js';
import type { FaultResult, Nemesis } from '../src/runner/nemesis.js';
import type { SystemDescriptor as System } from '../src/systems/descriptor.js';
import { nodeByName } from './partition.js';
import { parseTargetSpec, selectTargets } from './targets.js';

/**
 * Membership changes: `start-member` removes one member (drawn from the target spec) from the
 * cluster's configuration, `stop-member` and heal add every removed one back. Never below a
 * majority of the configured cluster: a removal that would go below is recorded as not
 * applied, with the reason. What was really done is what the history says.
 */
export function memberNemesis(system: System, cluster: Cluster): Nemesis {
  const membership = system.membership;
  if (membership === undefined) throw new Error(`${system.name} has no way to change its membership`);
  const configured = cluster.nodes.length;
  const majority = Math.floor(configured / 2) + 1;
  const removed: string[] = [];
  const addBack = async (): Promise<FaultResult> => {
    const added: string[] = [];
    // One at a time, in removal order: each join goes through a cluster that agrees on the last.
    while (removed.length > 0) {
      const name = removed[0]!;
      const done = await membership.add(cluster, nodeByName(cluster, name));
      removed.shift();
      if (done === 'added') added.push(name);
    }
    return { fault: 'member', active: false, targets: added, details: { added, members: configured } };
  };
  return {
    async invoke(op, ctx): Promise<FaultResult> {
      if (op.f === 'stop-member') return addBack();
      const members = ctx.nodes.filter((n) => !removed.includes(n));
      if (members.length - 1 < majority) {
        const reason = `removing another member would leave ${members.length - 1} of ${configured}, below a majority`;
        return { fault: 'member', active: removed.length > 0, targets: [], details: { applied: false, reason, removed: [...removed] } };
      }
      const spec = parseTargetSpec(String(op.value ?? 'one'));
      const leader = spec === 'leader' ? await ctx.leader(ctx.signal) : undefined;
      const target = selectTargets(spec, members, ctx.rng, leader === undefined ? [] : [leader])[0];
      if (target === undefined) return { fault: 'member', active: removed.length > 0, targets: [], details: { applied: false, reason: `no member matches "${String(op.value)}"` } };
      // Kept before acting: a removal that fails half-way is still added back by stop and heal.
      removed.push(target);
      try {
        await membership.remove(cluster, nodeByName(cluster, target));
      } catch (err) {
        const reason = `${system.name} did not remove ${target}: ${err instanceof Error ? err.message : String(err)}`;
        return { fault: 'member', active: removed.length > 1, targets: [], details: { applied: false, reason } };
      }
      return { fault: 'member', active: true, targets: [target], details: { removed: [...removed], members: configured - removed.length } };
    },
    healAll: async () => [await addBack()],
  };
}
