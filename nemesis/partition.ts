import type { Cluster, Node } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import { run } from '../src/cluster/node.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import type { SystemDescriptor as System } from '../src/systems/descriptor.js';
import { type Aim, type AimSettings, aimJson, laggingFollowerAim, primaryWithClientsAim } from './aims.js';
import { awaitLeader, noLeaderReason } from './leader-wait.js';
import { type Grudge, isolate, parsePartitionShape, partitionFor } from './partition-shapes.js';
import { type StateTarget, isStateTarget, selectTargets } from './targets.js';

/**
 * Partitions with iptables inside the nodes. Every rule lives in faultline's own chains,
 * jumped to from INPUT and OUTPUT, so healing flushes exactly what faultline added and
 * never touches anyone else's rules.
 */
export const CHAIN_IN = 'FAULTLINE-IN';
export const CHAIN_OUT = 'FAULTLINE-OUT';

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Creates the chains and the jumps to them; safe to run twice. Other faults (packet loss) pass their own chains. */
export function setupScript(chainIn = CHAIN_IN, chainOut = CHAIN_OUT): string {
  return [
    `iptables -w -N ${chainIn} 2>/dev/null || true`,
    `iptables -w -N ${chainOut} 2>/dev/null || true`,
    `iptables -w -C INPUT -j ${chainIn} 2>/dev/null || iptables -w -I INPUT 1 -j ${chainIn}`,
    `iptables -w -C OUTPUT -j ${chainOut} 2>/dev/null || iptables -w -I OUTPUT 1 -j ${chainOut}`,
  ].join('\n');
}

/** Replaces this node's partition: drop traffic from and to each address (none = heal). */
export function dropScript(addresses: readonly string[]): string {
  for (const a of addresses) if (!IPV4.test(a)) throw new Error(`not an IPv4 address: ${a}`);
  return [
    'set -e',
    `iptables -w -F ${CHAIN_IN}`,
    `iptables -w -F ${CHAIN_OUT}`,
    ...addresses.flatMap((a) => [`iptables -w -A ${CHAIN_IN} -s ${a} -j DROP`, `iptables -w -A ${CHAIN_OUT} -d ${a} -j DROP`]),
  ].join('\n');
}

export function healScript(): string {
  return dropScript([]);
}

/** Removes the jumps and the chains, leaving the node's iptables as it found them. */
export function teardownScript(chainIn = CHAIN_IN, chainOut = CHAIN_OUT): string {
  return [
    `iptables -w -F ${chainIn} 2>/dev/null || true`,
    `iptables -w -F ${chainOut} 2>/dev/null || true`,
    `while iptables -w -D INPUT -j ${chainIn} 2>/dev/null; do :; done`,
    `while iptables -w -D OUTPUT -j ${chainOut} 2>/dev/null; do :; done`,
    `iptables -w -X ${chainIn} 2>/dev/null || true`,
    `iptables -w -X ${chainOut} 2>/dev/null || true`,
  ].join('\n');
}

/** The DROP rules faultline has in place on a node (for tests and `faultline clean`). */
export async function faultlineDropRules(node: Node): Promise<string[]> {
  const out = await node.exec(['sh', '-c', 'iptables -w -S 2>/dev/null']);
  return out.stdout.split('\n').filter((l) => l.includes('FAULTLINE') && l.includes('DROP'));
}

export function nodeByName(cluster: Cluster, name: string): Node {
  const node = cluster.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node named ${name} in cluster ${cluster.id}`);
  return node;
}

/**
 * The partition a `start-partition` asks for: a shape name drawn here, or — when a recorded
 * schedule is replayed — the exact grudge it had (`{shape, grudge}`), so the same nodes are
 * cut off again. `isolate-leader` waits a little for a leader (an election may be under way);
 * when none appears, the reason instead of a grudge.
 */
async function chosenPartition(value: Json, ctx: NemesisContext): Promise<{ shape: string; grudge: Grudge } | { shape: string; notApplied: string }> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && value['grudge'] !== null && typeof value['grudge'] === 'object' && !Array.isArray(value['grudge'])) {
    const grudge: Record<string, string[]> = {};
    for (const [node, drops] of Object.entries(value['grudge'])) grudge[node] = Array.isArray(drops) ? drops.filter((d): d is string => typeof d === 'string' && ctx.nodes.includes(d)) : [];
    return { shape: typeof value['shape'] === 'string' ? value['shape'] : 'replayed', grudge };
  }
  const shape = parsePartitionShape(String(value));
  if (shape !== 'isolate-leader') return { shape, grudge: partitionFor(shape, ctx.nodes, ctx.rng) };
  const wait = await awaitLeader((s) => ctx.leader(s), ctx.signal);
  if (wait.leader === undefined) return { shape, notApplied: noLeaderReason(wait) };
  return { shape, grudge: partitionFor(shape, ctx.nodes, ctx.rng, wait.leader) };
}

/** Drops new TCP connections to `port` from each address (the clients that must not reach this node afresh). */
export function dropNewConnectionsScript(port: number, addresses: readonly string[]): string {
  for (const a of addresses) if (!IPV4.test(a)) throw new Error(`not an IPv4 address: ${a}`);
  return addresses.map((a) => `iptables -w -A ${CHAIN_IN} -p tcp --dport ${port} --syn -s ${a} -j DROP`).join('\n');
}

/** A partition aimed at a state: the grudge, and rules beyond it on some nodes. */
interface AimedPartition {
  readonly aim: Aim;
  readonly grudge: Grudge;
  readonly extra: Readonly<Record<string, string>>;
}

async function aimedPartition(target: StateTarget, node: string, cluster: Cluster, system: System, settings: AimSettings, ctx: NemesisContext): Promise<AimedPartition> {
  const grudge = isolate(ctx.nodes, node);
  if (target === 'primary-with-clients') {
    const aim = await primaryWithClientsAim(system, cluster, node);
    return { aim, grudge, extra: { [node]: dropNewConnectionsScript(aim.port, aim.clientAddresses) } };
  }
  if (target === 'lagging-follower') return { aim: await laggingFollowerAim(system, cluster, node, settings, (s) => ctx.leader(s)), grudge, extra: {} };
  throw new Error(`a partition cannot aim at ${target}`);
}

/**
 * `start-partition` with a shape name (or a recorded grudge) as its value; `stop-partition` heals.
 * With a state target as its value (`lagging-follower`, `primary-with-clients`; needs `system`
 * and `settings`), the partition is aimed: its stop waits for the state before healing, and
 * records what was seen.
 */
export function partitionNemesis(cluster: Cluster, system?: System, settings?: AimSettings): Nemesis {
  let aimed: Aim | undefined;
  const onAll = (script: (node: Node) => string, signal: AbortSignal): Promise<unknown> =>
    Promise.all(cluster.nodes.map((n) => run(n, ['sh', '-c', script(n)], { timeoutMs: 10_000 }).then(() => signal.throwIfAborted())));
  const healed = (): FaultResult => ({ fault: 'partition', active: false, targets: cluster.nodes.map((n) => n.name) });
  const heal = async (ctx: NemesisContext, holding: boolean): Promise<FaultResult> => {
    const aim = aimed;
    aimed = undefined;
    const held = aim === undefined ? {} : holding ? await aim.hold(ctx.signal) : { healedEarly: true };
    await onAll(healScript, ctx.signal);
    if (aim === undefined) return healed();
    // Healed before its stop (the run ended): one look at the evidence, no waiting for it.
    const after = await aim.after(holding ? ctx.signal : AbortSignal.abort());
    return { ...healed(), details: { aim: aimJson(aim, [held, after]) } };
  };
  const aimedStart = async (target: StateTarget, ctx: NemesisContext): Promise<FaultResult> => {
    if (system === undefined || settings === undefined) throw new Error(`this partition nemesis cannot aim at ${target}`);
    const wait = await awaitLeader((s) => ctx.leader(s), ctx.signal);
    const node = selectTargets(target, ctx.nodes, ctx.rng, wait.leader === undefined ? [] : [wait.leader])[0];
    if (node === undefined || aimed !== undefined) {
      const why = node === undefined ? noLeaderReason(wait) : 'another aimed partition was in effect';
      return { fault: 'partition', active: false, targets: [], details: { shape: target, aim: { target, reached: false, why } } };
    }
    const { aim, grudge, extra } = await aimedPartition(target, node, cluster, system, settings, ctx);
    aimed = aim;
    const address = (name: string): string => nodeByName(cluster, name).address;
    await onAll((n) => [dropScript((grudge[n.name] ?? []).map(address)), extra[n.name] ?? ''].join('\n'), ctx.signal);
    const targets = ctx.nodes.filter((n) => (grudge[n] ?? []).length > 0);
    return { fault: 'partition', active: true, targets, details: { shape: target, grudge: { ...grudge } as Record<string, string[]>, aim: aimJson(aim, []) } };
  };
  return {
    async setup(ctx) {
      await onAll(() => setupScript(), ctx.signal);
      await onAll(healScript, ctx.signal);
    },
    async invoke(op, ctx) {
      if (op.f === 'stop-partition') return heal(ctx, true);
      if (typeof op.value === 'string' && isStateTarget(op.value)) return aimedStart(op.value, ctx);
      const chosen = await chosenPartition(op.value, ctx);
      if ('notApplied' in chosen) {
        const notApplied: FaultResult = { fault: 'partition', active: false, targets: [], details: { shape: chosen.shape, applied: false, reason: chosen.notApplied } };
        return notApplied;
      }
      const { shape, grudge } = chosen;
      const address = (name: string): string => nodeByName(cluster, name).address;
      await onAll((n) => dropScript((grudge[n.name] ?? []).map(address)), ctx.signal);
      const targets = ctx.nodes.filter((n) => (grudge[n] ?? []).length > 0);
      return { fault: 'partition', active: true, targets, details: { shape, grudge: { ...grudge } as Record<string, string[]> } };
    },
    healAll: async (ctx) => [await heal(ctx, false)],
    async teardown(ctx) {
      await onAll(() => teardownScript(), ctx.signal);
    },
  };
}
