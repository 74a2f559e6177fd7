import type { Cluster, Node } from '../src/cluster/node.js';
import { run, sh } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import { nodeByName, setupScript, teardownScript } from './partition.js';
import { parseTargetSpec, selectTargets } from './targets.js';

/** Packet rules live in chains of their own, so a partition healing does not lift them (nor they it). */
export const PACKET_CHAIN_IN = 'FAULTLINE-PKT-IN';
export const PACKET_CHAIN_OUT = 'FAULTLINE-PKT-OUT';

/** What one `start-packet` asks for on the links of each target node (all optional). */
export interface PacketFault {
  /** Probability in [0, 1] that a packet leaving the target is dropped. */
  readonly loss?: number;
  readonly delayMs?: number;
  readonly jitterMs?: number;
  /** Probabilities in [0, 1]. */
  readonly duplicate?: number;
  readonly reorder?: number;
  /** Bandwidth limit of the target's interface. */
  readonly rateKbit?: number;
  /** Which nodes (`one`, `minority`, …). */
  readonly targets?: string;
  /** Only the links to these peers (by node name); absent: every packet the target sends. */
  readonly peers?: readonly string[];
}

/** A PacketFault as a history value. */
export function packetFaultJson(f: PacketFault): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(f) as [string, number | string | readonly string[] | undefined][]) if (v !== undefined) out[k] = typeof v === 'object' ? [...v] : v;
  return out;
}

export interface PacketPlan {
  /** Shell run on the node to apply the fault. */
  readonly script: string;
  /** What is in effect, as `tc`/`iptables` terms. */
  readonly applied: Json;
  /** Each asked-for effect that could not be applied here, and why. */
  readonly notApplied: { what: string; reason: string }[];
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const NO_NETEM = 'this kernel has no netem qdisc (tc: "Specified qdisc kind is unknown"); iptables and tbf cannot delay, duplicate or reorder';

function probability(name: string, p: number | undefined): number | undefined {
  if (p === undefined || p === 0) return undefined;
  if (!(p > 0 && p <= 1)) throw new Error(`packet: ${name} must be a probability in (0, 1], got ${p}`);
  return p;
}

/** A percentage as tc writes it. */
const pct = (p: number): string => `${+(p * 100).toFixed(4)}%`;

/**
 * How to apply `f` on a node whose interface is `dev`, towards `peerAddresses` (empty: all
 * traffic), given whether netem works there. Pure, so the choice is testable without a node.
 */
export function planPacketFault(f: PacketFault, dev: string, peerAddresses: readonly string[], netem: boolean): PacketPlan {
  for (const a of peerAddresses) if (!IPV4.test(a)) throw new Error(`not an IPv4 address: ${a}`);
  if (!/^[A-Za-z0-9@._-]+$/.test(dev)) throw new Error(`not an interface name: ${dev}`);
  const loss = probability('loss', f.loss);
  const duplicate = probability('duplicate', f.duplicate);
  const reorder = probability('reorder', f.reorder);
  const delayMs = f.delayMs !== undefined && f.delayMs > 0 ? f.delayMs : undefined;
  const rate = f.rateKbit !== undefined && f.rateKbit > 0 ? Math.round(f.rateKbit) : undefined;
  const lines: string[] = ['set -e'];
  const notApplied: { what: string; reason: string }[] = [];
  const applied: { [k: string]: Json } = {};
  if (netem && (loss ?? delayMs ?? duplicate ?? reorder ?? rate) !== undefined) {
    const args: string[] = [];
    if (delayMs !== undefined) args.push(`delay ${delayMs}ms${f.jitterMs !== undefined && f.jitterMs > 0 ? ` ${f.jitterMs}ms` : ''}`);
    if (loss !== undefined) args.push(`loss ${pct(loss)}`);
    if (duplicate !== undefined) args.push(`duplicate ${pct(duplicate)}`);
    // netem reorders by sending some packets at once while the rest wait out the delay.
    if (reorder !== undefined) args.push(`${delayMs === undefined ? 'delay 10ms ' : ''}reorder ${pct(reorder)}`);
    if (rate !== undefined) args.push(`rate ${rate}kbit`);
    if (peerAddresses.length === 0) {
      lines.push(`tc qdisc replace dev ${dev} root netem ${args.join(' ')}`);
    } else {
      // Only the chosen links: a prio qdisc whose third band carries netem, fed by one filter per peer.
      lines.push(`tc qdisc replace dev ${dev} root handle 1: prio`, `tc qdisc add dev ${dev} parent 1:3 handle 30: netem ${args.join(' ')}`);
      for (const a of peerAddresses) lines.push(`tc filter add dev ${dev} protocol ip parent 1:0 prio 3 u32 match ip dst ${a}/32 flowid 1:3`);
    }
    applied['netem'] = args.join(' ');
    return { script: lines.join('\n'), applied, notApplied };
  }
  if (loss !== undefined) {
    const match = peerAddresses.length === 0 ? [''] : peerAddresses.map((a) => `-d ${a} `);
    for (const m of match) lines.push(`iptables -w -A ${PACKET_CHAIN_OUT} ${m}-m statistic --mode random --probability ${loss} -j DROP`);
    applied['iptablesLoss'] = loss;
  }
  if (rate !== undefined) {
    if (peerAddresses.length > 0) notApplied.push({ what: `rate ${rate}kbit per link`, reason: 'tbf limits the whole interface; applied to all of its traffic' });
    lines.push(`tc qdisc replace dev ${dev} root tbf rate ${rate}kbit burst 32kbit latency 400ms`);
    applied['tbfRateKbit'] = rate;
  }
  if (delayMs !== undefined) notApplied.push({ what: `delay ${delayMs}ms`, reason: NO_NETEM });
  if (duplicate !== undefined) notApplied.push({ what: `duplicate ${pct(duplicate)}`, reason: NO_NETEM });
  if (reorder !== undefined) notApplied.push({ what: `reorder ${pct(reorder)}`, reason: NO_NETEM });
  return { script: lines.join('\n'), applied, notApplied };
}

/** Undoes every packet fault on a node: its chains flushed, its root qdisc back to the default. */
export function packetHealScript(dev: string): string {
  return [`iptables -w -F ${PACKET_CHAIN_IN} 2>/dev/null || true`, `iptables -w -F ${PACKET_CHAIN_OUT} 2>/dev/null || true`, `tc qdisc del dev ${dev} root 2>/dev/null || true`].join('\n');
}

/** Tries netem on the loopback device and removes it at once: whether this kernel has it. */
export const NETEM_PROBE = 'tc qdisc add dev lo root netem delay 1ms 2>&1 && tc qdisc del dev lo root';

/** The interface a node's address is on. */
async function interfaceOf(node: Node): Promise<string> {
  const out = await run(node, ['sh', '-c', `ip -o -4 addr show | awk '$4 ~ /^${node.address.replaceAll('.', '\\.')}\\// {print $2; exit}'`], { timeoutMs: 10_000 });
  const dev = out.trim();
  if (dev === '') throw new Error(`packet: no interface carries ${node.address} on ${node.name}`);
  return dev;
}

/** The root qdiscs faultline may have left on a node (for tests): anything but the kernel's defaults. */
export async function faultlineQdiscs(node: Node): Promise<string[]> {
  const r = await sh(node, 'tc qdisc show');
  return r.stdout.split('\n').filter((l) => /qdisc (netem|tbf|prio)/.test(l));
}

/**
 * `start-packet` (value: a PacketFault) degrades the links of the target nodes; `stop-packet`
 * and healing remove every rule and qdisc on every node. Setup detects once whether netem
 * works; without it, loss goes through iptables' `statistic` match, rate through `tbf`, and
 * the result lists what could not be applied, rather than failing mid-run.
 */
export function packetNemesis(cluster: Cluster): Nemesis {
  let netem: boolean | undefined;
  let netemError = '';
  const devs = new Map<string, string>();
  const onAll = (script: (node: Node, dev: string) => string): Promise<unknown> =>
    Promise.all(cluster.nodes.map((n) => run(n, ['sh', '-c', script(n, devs.get(n.name) ?? 'eth0')], { timeoutMs: 10_000 })));
  const heal = async (): Promise<FaultResult> => {
    await onAll((_n, dev) => packetHealScript(dev));
    return { fault: 'packet', active: false, targets: cluster.nodes.map((n) => n.name) };
  };
  return {
    async setup() {
      for (const node of cluster.nodes) devs.set(node.name, await interfaceOf(node));
      const first = cluster.nodes[0];
      if (first !== undefined) {
        const r = await sh(first, NETEM_PROBE);
        netem = r.exitCode === 0;
        netemError = netem ? '' : r.stdout.trim() || r.stderr.trim();
      }
      await onAll(() => setupScript(PACKET_CHAIN_IN, PACKET_CHAIN_OUT));
      await heal();
    },
    async invoke(op, ctx: NemesisContext) {
      if (op.f === 'stop-packet') return heal();
      const f = (op.value ?? {}) as PacketFault;
      const spec = parseTargetSpec(f.targets ?? 'one');
      const leader = spec === 'leader' || spec === 'primaries' ? await ctx.leader(ctx.signal) : undefined;
      const targets = selectTargets(spec, ctx.nodes, ctx.rng, leader === undefined ? [] : [leader]);
      const peers = (f.peers ?? []).map((p) => nodeByName(cluster, p).address);
      const plans = targets.map((t) => planPacketFault(f, devs.get(t) ?? 'eth0', peers, netem === true));
      await Promise.all(targets.map((t, i) => run(nodeByName(cluster, t), ['sh', '-c', plans[i]?.script ?? 'true'], { timeoutMs: 10_000 })));
      const plan = plans[0];
      const details: { [k: string]: Json } = { ...packetFaultJson(f), netem: netem === true, applied: plan?.applied ?? null, notApplied: plan?.notApplied ?? [] };
      if (netem !== true) details['netemProbe'] = netemError;
      return { fault: 'packet', active: targets.length > 0, targets, details };
    },
    healAll: async () => [await heal()],
    async teardown() {
      await onAll((_n, dev) => `${packetHealScript(dev)}\n${teardownScript(PACKET_CHAIN_IN, PACKET_CHAIN_OUT)}`);
    },
  };
}
