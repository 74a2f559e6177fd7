import type { Cluster, Node } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import { type Aim, aimJson } from './aims.js';
import { nodeByName } from './partition.js';
import { type StateTarget, isStateTarget, needsLeader, parseTargetSpec, selectTargets } from './targets.js';

export interface ProcessFault {
  /** `kill`, `pause`: the nemesis answers `start-<fault>` / `stop-<fault>`. */
  readonly fault: string;
  /**
   * What is done to each target (SIGKILL, SIGSTOP); what it returns is recorded as what was
   * applied there. `value` is the start operation's value (a target spec, or an object with
   * `targets` and the fault's own parameters).
   */
  readonly act: (node: Node, value: Json, ctx: NemesisContext) => Promise<Json | undefined | void>;
  /** What undoes it (restart, SIGCONT); must be harmless on a node it was never done to. What it returns is recorded for that node. */
  readonly undo: (node: Node) => Promise<Json | undefined | void>;
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
    const undone = await Promise.all(names.map(async (name) => [name, await f.undo(nodeByName(cluster, name))] as const));
    for (const name of names) affected.delete(name);
    const details: { [k: string]: Json } = { signal: f.signal, undone: true };
    const perNode = undone.flatMap(([name, what]) => (what === undefined ? [] : [[name, what] as const]));
    if (perNode.length > 0) details['nodes'] = Object.fromEntries(perNode);
    // Healed before its stop (the run ended): one look at the evidence, no waiting for it.
    if (aim !== undefined) details['aim'] = aimJson(aim, [held, await aim.after(holding ? signal : AbortSignal.abort())]);
    return { fault: f.fault, active: false, targets: names, details };
  };
  return {
    async invoke(op, ctx: NemesisContext) {
      if (op.f === `stop-${f.fault}`) return undoOn([...affected].sort(), ctx.signal, true);
      const value: Json = op.value ?? 'one';
      const specText = targetsOf(value);
      const spec = parseTargetSpec(specText);
      const leader = needsLeader(spec) ? await ctx.leader(ctx.signal) : undefined;
      const targets = selectTargets(spec, ctx.nodes, ctx.rng, leader === undefined ? [] : [leader]);
      const makeAim = typeof spec === 'string' && isStateTarget(spec) ? f.aims?.[spec] : undefined;
      if (typeof spec === 'string' && isStateTarget(spec) && makeAim === undefined) throw new Error(`the ${f.fault} fault cannot aim at ${spec}`);
      // Read before acting (the evidence of the state as the fault finds it); one aim at a time.
      const aim = makeAim !== undefined && targets[0] !== undefined && aimed === undefined ? await makeAim(targets[0]) : undefined;
      if (aim !== undefined) aimed = aim;
      // Marked before acting: a target that fails half-way is still undone by stop and heal.
      for (const name of targets) affected.add(name);
      const applied = await Promise.all(targets.map(async (name) => [name, await f.act(nodeByName(cluster, name), value, ctx)] as const));
      const perNode = applied.flatMap(([name, what]) => (what === undefined ? [] : [[name, what] as const]));
      const details: { [k: string]: Json } = { signal: f.signal, spec: specText };
      if (perNode.length > 0) details['nodes'] = Object.fromEntries(perNode);
      if (aim !== undefined) details['aim'] = aimJson(aim, []);
      else if (makeAim !== undefined) details['aim'] = { target: String(spec), reached: false, why: targets.length === 0 ? 'no leader was known' : 'another aimed fault was in effect' };
      return { fault: f.fault, active: targets.length > 0, targets, details };
    },
    healAll: async (ctx) => [await undoOn(cluster.nodes.map((n) => n.name), ctx.signal, false)],
  };
}

/** The target spec of a start value: the value itself (`one`), or its `targets` field (`{targets: 'one', file: 'wal'}`). */
export function targetsOf(value: Json): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return typeof value['targets'] === 'string' ? value['targets'] : 'one';
  return String(value);
}
