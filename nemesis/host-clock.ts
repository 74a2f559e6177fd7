import { type ClockReading, type HostClockSet, restoreHostClock, setHostClock } from '../src/cluster/host-clock.js';
import type { Cluster } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import { sleepMs } from '../src/runner/async.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import { parseClockChange } from './clock.js';
import { nodeByName } from './partition.js';
import { parseTargetSpec, selectTargets } from './targets.js';

/** How the nemesis reaches the hosts' clocks (SSH in a run; a simulated clock in the unit tests). */
export interface HostClockOps {
  /** Sets the host to control time + offsetMs; rejects when it could not. */
  set(node: string, offsetMs: number): Promise<HostClockSet>;
  /** Sets a moved host back to control time; undefined when it was not moved. */
  restore(node: string): Promise<ClockReading | undefined>;
}

export function sshHostClockOps(cluster: Cluster, controlBootId: string): HostClockOps {
  return {
    set: (n, offsetMs) => setHostClock(nodeByName(cluster, n), offsetMs, controlBootId),
    restore: (n) => restoreHostClock(nodeByName(cluster, n), controlBootId),
  };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Per-node results of one step, and which nodes it applied to. */
async function onEach<T extends Json>(names: readonly string[], f: (n: string) => Promise<T>): Promise<{ byNode: Record<string, Json>; ok: string[] }> {
  const settled = await Promise.all(names.map(async (n) => [n, await f(n).then((v) => ({ ok: true as const, v }), (err: unknown) => ({ ok: false as const, reason: message(err) }))] as const));
  const byNode: Record<string, Json> = {};
  const ok: string[] = [];
  for (const [n, r] of settled) {
    byNode[n] = r.ok ? r.v : { applied: false, reason: r.reason };
    if (r.ok) ok.push(n);
  }
  return { byNode, ok };
}

const setJson = (s: HostClockSet): Json => ({
  applied: true,
  askedMs: s.askedMs,
  measuredMs: s.measured.offsetMs,
  uncertaintyMs: s.measured.uncertaintyMs,
  beforeMs: s.before.offsetMs,
  ...(s.ntp.length === 0 ? {} : { ntp: [...s.ntp] }),
});

const readingJson = (r: ClockReading | undefined): Json => (r === undefined ? { moved: false } : { moved: true, residualMs: r.offsetMs, uncertaintyMs: r.uncertaintyMs });

/**
 * `--clock-scope host`: a clock fault sets the targets' whole machine clock to control time
 * ± skew (a bump) or flips it between the two (a strobe), and records per host the offset
 * measured after, the one before, and any NTP daemon that may pull it back. `stop-clock`,
 * healing (run end, Ctrl-C, a failure) and a strobe's end set every moved host back to control
 * time and record the residual. A host whose clock could not be set is `applied: false` with
 * the reason; the fault is active only when at least one host moved.
 */
export function hostClockNemesis(nodes: readonly string[], ops: HostClockOps): Nemesis {
  // Every host a set was tried on, even one that failed half-way (the marker may be there): reset until it says unmoved.
  const touched = new Set<string>();
  const restore = async (names: readonly string[]): Promise<{ byNode: Record<string, Json>; failed: string[] }> => {
    const r = await onEach(names, async (n) => {
      const reading = await ops.restore(n);
      touched.delete(n);
      return readingJson(reading);
    });
    return { byNode: r.byNode, failed: names.filter((n) => !r.ok.includes(n)) };
  };
  const resetAll = async (): Promise<FaultResult> => {
    // All the cluster's hosts, not only those this run touched: a restore finds the marker a killed run left.
    const all = [...new Set([...nodes, ...touched])];
    const r = await restore(all);
    if (r.failed.length > 0) throw new Error(`clock: could not set ${r.failed.join(', ')} back to the control machine's time: ${r.failed.map((n) => JSON.stringify(r.byNode[n])).join('; ')}`);
    return { fault: 'clock', active: false, targets: all, details: { scope: 'host', reset: r.byNode } };
  };
  const set = (names: readonly string[], offsetMs: number): Promise<{ byNode: Record<string, Json>; ok: string[] }> => {
    for (const n of names) touched.add(n);
    return onEach(names, async (n) => setJson(await ops.set(n, offsetMs)));
  };
  return {
    async invoke(op, ctx: NemesisContext) {
      if (op.f === 'stop-clock') return resetAll();
      const change = parseClockChange(op.value);
      const spec = parseTargetSpec(change.targets);
      const leader = spec === 'leader' || spec === 'primaries' ? await ctx.leader(ctx.signal) : undefined;
      const targets = selectTargets(spec, ctx.nodes, ctx.rng, leader === undefined ? [] : [leader]);
      if (change.mode === 'bump') {
        const r = await set(targets, change.offsetMs);
        return { fault: 'clock', active: r.ok.length > 0, targets, details: { ...change, scope: 'host', applied: r.ok.length > 0, hosts: r.byNode } };
      }
      // Strobe: flip between the offset and control time, bounded in time; the first flip's measurement is kept; ends at control time.
      const ends = Date.now() + change.durationMs;
      let flips = 0;
      let first: Record<string, Json> = {};
      let moved: string[] = [];
      try {
        while (Date.now() < ends && !ctx.signal.aborted) {
          if (flips % 2 === 0) {
            const r = await set(flips === 0 ? targets : moved, change.offsetMs);
            if (flips === 0) {
              first = r.byNode;
              moved = r.ok;
            }
          } else {
            await restore(moved);
          }
          flips++;
          if (moved.length === 0) break;
          await sleepMs(change.periodMs, ctx.signal).catch(() => undefined);
        }
      } finally {
        await restore(targets);
      }
      return { fault: 'clock', active: false, targets, details: { ...change, scope: 'host', applied: moved.length > 0, flips, hosts: first } };
    },
    healAll: async () => [await resetAll()],
  };
}
