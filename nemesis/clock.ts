import type { Cluster, Node } from '../src/cluster/node.js';
import { run } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import type { Rng } from '../src/generator/random.js';
import { sleepMs } from '../src/runner/async.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import type { StartOptions, SystemDescriptor } from '../src/systems/descriptor.js';
import { FAKETIME_FILE } from '../src/systems/faketime.js';
import { nodeByName } from './partition.js';
import { parseTargetSpec, selectTargets } from './targets.js';
import { vdsoClockNemesis } from './vdso-clock.js';

export { FAKETIME_FILE } from '../src/systems/faketime.js';

/** The environment the database starts with when the clock nemesis is in the spec; undefined where libfaketime has no effect. */
export function clockStartOptions(system: SystemDescriptor): StartOptions | undefined {
  if (system.clock?.via !== 'faketime') return undefined;
  return { env: { LD_PRELOAD: system.clock.preload.join(' '), FAKETIME_TIMESTAMP_FILE: FAKETIME_FILE, FAKETIME_NO_CACHE: '1' } };
}

/** Why a system's clock cannot be moved, when it cannot. */
export function clockUnsupported(system: SystemDescriptor): string | undefined {
  const clock = system.clock;
  if (clock === undefined) return `${system.name} declares no way to move its clock`;
  return clock.via === 'none' ? clock.reason : undefined;
}

export type ClockChange =
  | { readonly mode: 'bump'; readonly offsetMs: number; readonly targets: string }
  | { readonly mode: 'strobe'; readonly offsetMs: number; readonly periodMs: number; readonly durationMs: number; readonly targets: string };

const MAX_STROBE_MS = 10_000;

/** The value of one `start-clock`, drawn from the faults stream: a bump of ±skew, or a strobe between +skew and real time. */
export function drawClockChange(rng: Pick<Rng, 'float'>, skewMs: number, targets: string): ClockChange {
  if (rng.float() < 0.5) return { mode: 'bump', offsetMs: rng.float() < 0.5 ? skewMs : -skewMs, targets };
  return { mode: 'strobe', offsetMs: skewMs, periodMs: 100, durationMs: 2_000, targets };
}

export function parseClockChange(value: Json): ClockChange {
  const v = (value ?? {}) as Record<string, Json>;
  const offsetMs = Number(v['offsetMs']);
  const targets = typeof v['targets'] === 'string' ? v['targets'] : 'one';
  if (!Number.isFinite(offsetMs)) throw new Error(`clock: offsetMs must be a number, got ${JSON.stringify(v['offsetMs'])}`);
  if (v['mode'] === 'strobe') {
    const periodMs = Math.max(10, Number(v['periodMs'] ?? 100));
    const durationMs = Math.min(MAX_STROBE_MS, Math.max(periodMs, Number(v['durationMs'] ?? 2_000)));
    return { mode: 'strobe', offsetMs, periodMs, durationMs, targets };
  }
  return { mode: 'bump', offsetMs, targets };
}

/** libfaketime's relative offset syntax: signed seconds, fractions allowed (`+1.500`, `-0.250`). */
export function faketimeOffset(offsetMs: number): string {
  return `${offsetMs < 0 ? '-' : '+'}${(Math.abs(offsetMs) / 1000).toFixed(3)}`;
}

export function setOffsetScript(offsetMs: number): string {
  // Written to a temporary file and renamed, so a reader never sees half an offset.
  return `mkdir -p /run/faultline && printf '%s\\n' '${faketimeOffset(offsetMs)}' > ${FAKETIME_FILE}.tmp && mv ${FAKETIME_FILE}.tmp ${FAKETIME_FILE}`;
}

export const RESET_SCRIPT = `rm -f ${FAKETIME_FILE} ${FAKETIME_FILE}.tmp`;

/** How a system's clock is read on a node: the database's own when it can tell it, else a process under the same preload. */
function probeScript(system: SystemDescriptor): string {
  if (system.clock?.via === 'faketime' && system.clock.probe !== undefined) return system.clock.probe;
  const env = clockStartOptions(system)?.env ?? {};
  return `env ${Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ')} date +%s%N`;
}

/** Parses a probe's output into ms since the epoch: `sec usec` (Redis TIME) or nanoseconds (`date +%s%N`). */
export function parseProbe(stdout: string): number {
  const text = stdout.trim();
  // Nanoseconds since the epoch overflow a double's exact range: divide as a bigint first.
  if (/^\d+$/.test(text)) return Number(BigInt(text) / 1000n) / 1000;
  const parts = text.split(/\s+/).map(Number);
  if (parts.length === 2 && parts.every(Number.isFinite)) return (parts[0] ?? 0) * 1000 + (parts[1] ?? 0) / 1000;
  throw new Error(`cannot read a time from ${JSON.stringify(stdout.slice(0, 80))}`);
}

/** The offset a node's database sees against this host's clock, ± half the round trip of the exec. */
export async function measureOffset(system: SystemDescriptor, node: Node): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  const before = Date.now();
  const out = await run(node, ['sh', '-c', probeScript(system)], { timeoutMs: 10_000 });
  const after = Date.now();
  return { offsetMs: Math.round(parseProbe(out) - (before + after) / 2), uncertaintyMs: Math.ceil((after - before) / 2) };
}

/**
 * `start-clock` bumps or strobes the database clock of the targets by rewriting the
 * libfaketime timestamp file (systems whose clock goes `via: 'vdso'`: see vdso-clock.ts) the database was started with, then measures the offset each
 * target actually shows; `stop-clock` and healing remove the file on every node. On systems
 * whose clock cannot be moved (their descriptor says why), nothing is done and the result says so.
 */
export function clockNemesis(system: SystemDescriptor, cluster: Cluster): Nemesis {
  if (system.clock?.via === 'vdso') return vdsoClockNemesis(system, system.clock, cluster);
  const unsupported = clockUnsupported(system);
  const supported = unsupported === undefined;
  const onNodes = (names: readonly string[], script: string): Promise<unknown> =>
    Promise.all(names.map((n) => run(nodeByName(cluster, n), ['sh', '-c', script], { timeoutMs: 10_000 })));
  const measure = async (names: readonly string[]): Promise<Json> =>
    Object.fromEntries(
      await Promise.all(
        names.map(async (n) => {
          const m = await measureOffset(system, nodeByName(cluster, n)).catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }));
          return [n, m] as const;
        }),
      ),
    );
  const reset = async (): Promise<FaultResult> => {
    const all = cluster.nodes.map((n) => n.name);
    await onNodes(all, RESET_SCRIPT);
    return { fault: 'clock', active: false, targets: all, details: supported ? { reset: true } : { applied: false, reason: unsupported } };
  };
  return {
    async invoke(op, ctx: NemesisContext) {
      if (op.f === 'stop-clock') return reset();
      const change = parseClockChange(op.value);
      const spec = parseTargetSpec(change.targets);
      const leader = spec === 'leader' || spec === 'primaries' ? await ctx.leader(ctx.signal) : undefined;
      const targets = selectTargets(spec, ctx.nodes, ctx.rng, leader === undefined ? [] : [leader]);
      if (!supported) return { fault: 'clock', active: false, targets, details: { ...change, applied: false, reason: unsupported, system: system.name } };
      if (change.mode === 'bump') {
        await onNodes(targets, setOffsetScript(change.offsetMs));
        return { fault: 'clock', active: true, targets, details: { ...change, applied: true, measuredMs: await measure(targets) } };
      }
      // Strobe: alternate between the offset and real time, bounded in time, measured at the offset; ends at real time.
      const ends = Date.now() + change.durationMs;
      let flips = 0;
      let measuredMs: Json = null;
      while (Date.now() < ends && !ctx.signal.aborted) {
        const on = flips % 2 === 0;
        await onNodes(targets, on ? setOffsetScript(change.offsetMs) : RESET_SCRIPT);
        if (flips === 0) measuredMs = await measure(targets);
        flips++;
        await sleepMs(change.periodMs, ctx.signal).catch(() => undefined);
      }
      await onNodes(targets, RESET_SCRIPT);
      return { fault: 'clock', active: false, targets, details: { ...change, applied: true, flips, measuredMs } };
    },
    healAll: async () => [await reset()],
  };
}
