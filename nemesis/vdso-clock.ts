import { request } from 'node:http';
import type { Cluster, Node, NodePrivileges } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import { sleepMs } from '../src/runner/async.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import { daemonPidFile } from '../src/systems/daemon.js';
import type { HttpDateProbe, SystemDescriptor } from '../src/systems/descriptor.js';
import { type ClockChange, parseClockChange } from './clock.js';
import { nodeByName } from './partition.js';
import { parseTargetSpec, selectTargets } from './targets.js';

/**
 * Clock faults for databases whose runtime reads time through the vDSO (Go): the helper
 * faultline-vdso-clock (docker/faultline-vdso-clock.c) redirects the process's
 * __vdso_clock_gettime to a page that adds an offset, through ptrace. Only runs with clock
 * faults on such systems give the nodes CAP_SYS_PTRACE.
 */
export const VDSO_CLOCK_HELPER = '/usr/local/bin/faultline-vdso-clock';
export const VDSO_CLOCK_PRIVILEGES: NodePrivileges = { capAdd: ['SYS_PTRACE'], devices: [] };

type VdsoClock = Extract<NonNullable<SystemDescriptor['clock']>, { via: 'vdso' }>;

/** The shell that runs the helper against the database's pid (read from its pid file); every failure is one JSON line. */
export function vdsoHelperScript(daemon: string, offsetMs: number): string {
  const ns = (BigInt(Math.round(offsetMs)) * 1_000_000n).toString();
  const pidFile = daemonPidFile(daemon);
  return (
    `p=$(cat ${pidFile} 2>/dev/null); ` +
    `if [ -z "$p" ]; then echo '{"ok":false,"reason":"no ${pidFile}: ${daemon} is not running"}'; exit 2; fi; ` +
    `if [ ! -x ${VDSO_CLOCK_HELPER} ]; then echo '{"ok":false,"reason":"${VDSO_CLOCK_HELPER} is not in the image"}'; exit 2; fi; ` +
    `exec ${VDSO_CLOCK_HELPER} "$p" ${ns}`
  );
}

export type HelperResult = { readonly ok: true; readonly pid: number; readonly installed: boolean } | { readonly ok: false; readonly reason: string };

/** What one helper run says: success only with exit 0 and `"ok":true`; anything else is a reason. */
export function parseHelperResult(exitCode: number, stdout: string, stderr: string): HelperResult {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let parsed: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) parsed = v as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (exitCode === 0 && parsed?.['ok'] === true && typeof parsed['pid'] === 'number') {
    return { ok: true, pid: parsed['pid'], installed: parsed['installed'] === true };
  }
  const reason = typeof parsed?.['reason'] === 'string' ? parsed['reason'] : `exit ${exitCode}: ${(stderr.trim() || stdout.trim() || 'no output').split('\n').slice(-2).join(' | ')}`;
  return { ok: false, reason };
}

/** One look at the process's clock: the `Date` it answered with (whole seconds) and the host times around the request. */
export interface DateSample {
  readonly sentMs: number;
  readonly receivedMs: number;
  readonly dateSec: number;
}

/**
 * The offset of the server's clock from the host's, from samples of a whole-second `Date`:
 * at the first pair of consecutive samples whose seconds differ by exactly one, the server's
 * clock crossed that second at a host time between the earlier request's start and the later
 * one's end. Undefined when no such pair exists (no crossing seen, or the clock jumped).
 */
export function offsetFromDateEdge(samples: readonly DateSample[]): { offsetMs: number; uncertaintyMs: number } | undefined {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a === undefined || b === undefined || b.dateSec !== a.dateSec + 1) continue;
    const edgeMs = b.dateSec * 1000;
    const lo = edgeMs - b.receivedMs;
    const hi = edgeMs - a.sentMs;
    return { offsetMs: Math.round((lo + hi) / 2), uncertaintyMs: Math.ceil((hi - lo) / 2) };
  }
  return undefined;
}

function sampleDate(address: string, probe: HttpDateProbe, signal?: AbortSignal): Promise<DateSample> {
  return new Promise((resolve, reject) => {
    const sentMs = Date.now();
    const req = request({ host: address, port: probe.port, path: probe.path, method: 'GET', timeout: 2_000, ...(signal === undefined ? {} : { signal }) }, (res) => {
      res.resume();
      const receivedMs = Date.now();
      const date = res.headers.date;
      const ms = date === undefined ? NaN : Date.parse(date);
      if (!Number.isFinite(ms)) reject(new Error(`no Date header from http://${address}:${probe.port}${probe.path}`));
      else resolve({ sentMs, receivedMs, dateSec: Math.floor(ms / 1000) });
    });
    req.on('timeout', () => req.destroy(new Error(`http://${address}:${probe.port}${probe.path} did not answer in 2 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The offset a node's database shows, from its HTTP `Date` header: sampled every few ms
 * until its second changes (at most ~1.5 s), so the uncertainty is a request's round trip,
 * not the header's one-second resolution.
 */
export async function measureHttpDateOffset(node: Node, probe: HttpDateProbe, signal?: AbortSignal): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  const samples: DateSample[] = [];
  const until = Date.now() + 1_500;
  while (Date.now() < until && signal?.aborted !== true) {
    samples.push(await sampleDate(node.address, probe, signal));
    const found = offsetFromDateEdge(samples.slice(-2));
    if (found !== undefined) return found;
    await sleepMs(5, signal).catch(() => undefined);
  }
  throw new Error(`the Date header of ${node.name} did not change second within 1.5 s (${samples.length} samples)`);
}

type Measured = { readonly offsetMs: number; readonly uncertaintyMs: number } | { readonly error: string };

/** How far a measurement may be from the offset asked for and still agree: its uncertainty and a margin for the requests. */
export function measurementAgrees(expectedMs: number, m: { offsetMs: number; uncertaintyMs: number }): boolean {
  return Math.abs(m.offsetMs - expectedMs) <= m.uncertaintyMs + 100;
}

/**
 * `start-clock` runs the helper on each target with the offset (bump) or alternately with
 * the offset and 0 (strobe, ending at 0), then measures what each process shows. Targets
 * where the helper fails are recorded as not applied, with its reason; a measurement that
 * disagrees with the offset is recorded as such. `stop-clock` and healing set 0 on every
 * node (a process the helper never touched is left alone) and measure again.
 */
export function vdsoClockNemesis(system: SystemDescriptor, clock: VdsoClock, cluster: Cluster): Nemesis {
  const pids = new Map<string, number>();
  const setOffset = async (name: string, offsetMs: number): Promise<HelperResult> => {
    const r = await nodeByName(cluster, name)
      .exec(['sh', '-c', vdsoHelperScript(clock.daemon, offsetMs)], { timeoutMs: 10_000 })
      .catch((err: unknown) => ({ exitCode: -1, stdout: '', stderr: err instanceof Error ? err.message : String(err) }));
    return parseHelperResult(r.exitCode, r.stdout, r.stderr);
  };
  const measure = async (names: readonly string[], signal?: AbortSignal): Promise<Record<string, Measured>> => {
    const probe = clock.probe;
    if (probe === undefined) return {};
    return Object.fromEntries(
      await Promise.all(
        names.map(async (n) => {
          const m: Measured = await measureHttpDateOffset(nodeByName(cluster, n), probe, signal).catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }));
          return [n, m] as const;
        }),
      ),
    );
  };
  /** The result's account of what was measured: the sentences where a measurement disagrees with the offset. */
  const disagreements = (measured: Record<string, Measured>, expectedMs: number): string[] =>
    Object.entries(measured).flatMap(([n, m]) =>
      'error' in m ? [`${n}: not measured (${m.error})`] : measurementAgrees(expectedMs, m) ? [] : [`${n}: expected ${expectedMs} ms, measured ${m.offsetMs} ± ${m.uncertaintyMs} ms`],
    );
  const apply = async (names: readonly string[], offsetMs: number): Promise<{ applied: string[]; notApplied: Record<string, string> }> => {
    const results = await Promise.all(names.map(async (n) => [n, await setOffset(n, offsetMs)] as const));
    const applied: string[] = [];
    const notApplied: Record<string, string> = {};
    for (const [n, r] of results) {
      if (r.ok) {
        applied.push(n);
        pids.set(n, r.pid);
      } else notApplied[n] = r.reason;
    }
    return { applied, notApplied };
  };
  const reset = async (signal?: AbortSignal): Promise<FaultResult> => {
    const all = cluster.nodes.map((n) => n.name);
    const before = new Map(pids);
    const { applied, notApplied } = await apply(all, 0);
    // A process that restarted since the fault took its offset with it: worth saying.
    const restarted = applied.filter((n) => before.has(n) && before.get(n) !== pids.get(n));
    const measuredMs = await measure(all, signal);
    const disagree = disagreements(measuredMs, 0);
    const details: Record<string, Json> = { reset: true, via: 'vdso', measuredMs };
    if (Object.keys(notApplied).length > 0) details['notReset'] = notApplied;
    if (restarted.length > 0) details['restartedSince'] = restarted;
    if (disagree.length > 0) details['measurementDisagrees'] = disagree;
    return { fault: 'clock', active: false, targets: all, details };
  };
  const outcome = (change: ClockChange, applied: readonly string[], notApplied: Record<string, string>): Record<string, Json> => ({
    ...change,
    via: 'vdso',
    applied: applied.length > 0 && Object.keys(notApplied).length === 0,
    ...(Object.keys(notApplied).length === 0 ? {} : { notApplied, ...(applied.length === 0 ? { reason: Object.values(notApplied)[0] ?? '' } : {}) }),
  });
  return {
    async invoke(op, ctx: NemesisContext) {
      if (op.f === 'stop-clock') return reset(ctx.signal);
      const change = parseClockChange(op.value);
      const spec = parseTargetSpec(change.targets);
      const leader = spec === 'leader' || spec === 'primaries' ? await ctx.leader(ctx.signal) : undefined;
      const targets = selectTargets(spec, ctx.nodes, ctx.rng, leader === undefined ? [] : [leader]);
      if (change.mode === 'bump') {
        const { applied, notApplied } = await apply(targets, change.offsetMs);
        const measuredMs = await measure(applied, ctx.signal);
        const disagree = disagreements(measuredMs, change.offsetMs);
        return {
          fault: 'clock',
          active: applied.length > 0,
          targets: applied.length > 0 ? applied : targets,
          details: { ...outcome(change, applied, notApplied), measuredMs, ...(disagree.length === 0 ? {} : { measurementDisagrees: disagree }) },
        };
      }
      // Strobe: the offset and real time in turn, measured once at the offset (the first flip lasts
      // as long as the measurement, ≤ 1.5 s), then flipped for durationMs; ends at real time.
      let flips = 0;
      let first = await apply(targets, change.offsetMs);
      const measuredMs = await measure(first.applied, ctx.signal);
      const disagree = disagreements(measuredMs, change.offsetMs);
      flips++;
      const ends = Date.now() + change.durationMs;
      while (first.applied.length > 0 && Date.now() < ends && !ctx.signal.aborted) {
        await sleepMs(change.periodMs, ctx.signal).catch(() => undefined);
        const r = await apply(first.applied, flips % 2 === 0 ? change.offsetMs : 0);
        // A target that stops answering mid-strobe is no longer flipped; its reason is kept.
        first = { applied: r.applied, notApplied: { ...first.notApplied, ...r.notApplied } };
        flips++;
      }
      const end = await apply(first.applied, 0);
      return {
        fault: 'clock',
        active: false,
        targets,
        details: {
          ...outcome(change, first.applied, { ...first.notApplied, ...end.notApplied }),
          flips,
          measuredMs,
          ...(disagree.length === 0 ? {} : { measurementDisagrees: disagree }),
        },
      };
    },
    healAll: async () => [await reset()],
  };
}
