import type { Cluster, Node } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import { type Aim, aimJson } from './aims.js';
import { nodeByName } from './partition.js';
import { type StateTarget, isStateTarget, needsLeader, parseTargetSpec, selectTargets } from './targets.js';

export interface ProcessFault {
  /** `kill`, `pause`: the nemesis answers `start-<fault>` / `stop-<fault>`. */
  readonly fault: string;
  /** What is done to each target (SIGKILL, SIGSTOP); what it returns is recorded as what was applied there. */
  readonly act: (node: Node) => Promise<Json | undefined | void>;
  /** What undoes it (restart, SIGCONT); must be harmless on a node it was never done to. */
  readonly undo: (node: Node) => Promise<void>;
  readonly signal: string;
  /** How the state targets this fault takes (`leader-lease` for pause) are aimed at, given the chosen node. */
  readonly aims?: Partial<Record<StateTarget, (node: string) => Promise<Aim>>>;
}

/**
 * A fault on the database process of chosen nodes: `start-X` with a target spec (`one`,
 * `minority`, `majority`, `all`, `leader`) as its value acts on those nodes; `stop-X`
 * undoes it on them. Healing undoes it on every node, because `undo` is harmless where
 * nothing was done — a fault half-applied before a failure is healed too.
 */
export function processFaultNemesis(cluster: Cluster, f: ProcessFault): Nemesis {
  const affected = new Set<string>();
  // The fault aimed at a state that is in effect: its stop waits for the state, then records it.
  let aimed: Aim | undefined;
  const undoOn = async (names: readonly string[], signal: AbortSignal, holding: boolean): Promise<FaultResult> => {
    const aim = aimed;
    aimed = undefined;
    const held = aim === undefined ? {} : holding ? await aim.hold(signal) : { healedEarly: true };
    await Promise.all(names.map((name) => f.undo(nodeByName(cluster, name))));
    for (const name of names) affected.delete(name);
    const details: { [k: string]: Json } = { signal: f.signal, undone: true };
    // Healed before its stop (the run ended): one look at the evidence, no waiting for it.
    if (aim !== undefined) details['aim'] = aimJson(aim, [held, await aim.after(holding ? signal : AbortSignal.abort())]);
    return { fault: f.fault, active: false, targets: names, details };
  };
  return {
    async invoke(op, ctx: NemesisContext) {
      if (op.f === `stop-${f.fault}`) return undoOn([...affected].sort(), ctx.signal, true);
      const spec = parseTargetSpec(String(op.value ?? 'one'));
      const leader = needsLeader(spec) ? await ctx.leader(ctx.signal) : undefined;
      const targets = selectTargets(spec, ctx.nodes, ctx.rng, leader === undefined ? [] : [leader]);
      const makeAim = typeof spec === 'string' && isStateTarget(spec) ? f.aims?.[spec] : undefined;
      if (typeof spec === 'string' && isStateTarget(spec) && makeAim === undefined) throw new Error(`the ${f.fault} fault cannot aim at ${spec}`);
      // Read before acting (the evidence of the state as the fault finds it); one aim at a time.
      const aim = makeAim !== undefined && targets[0] !== undefined && aimed === undefined ? await makeAim(targets[0]) : undefined;
      if (aim !== undefined) aimed = aim;
      // Marked before acting: a target that fails half-way is still undone by stop and heal.
      for (const name of targets) affected.add(name);
      const applied = await Promise.all(targets.map(async (name) => [name, await f.act(nodeByName(cluster, name))] as const));
      const perNode = applied.flatMap(([name, what]) => (what === undefined ? [] : [[name, what] as const]));
      const details: { [k: string]: Json } = { signal: f.signal, spec: String(op.value ?? 'one') };
      if (perNode.length > 0) details['nodes'] = Object.fromEntries(perNode);
      if (aim !== undefined) details['aim'] = aimJson(aim, []);
      else if (makeAim !== undefined) details['aim'] = { target: String(spec), reached: false, why: targets.length === 0 ? 'no leader was known' : 'another aimed fault was in effect' };
      return { fault: f.fault, active: targets.length > 0, targets, details };
    },
    healAll: async (ctx) => [await undoOn(cluster.nodes.map((n) => n.name), ctx.signal, false)],
  };
}
