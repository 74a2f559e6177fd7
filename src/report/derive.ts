import { worstVerdict } from '../checker/verdict.js';
import { type HistoryEvent, type Json, NEMESIS } from '../history/event.js';
import { describeGrudge } from '../history/faults.js';
import { asVerdict, checkerReport, isObj } from './checkers.js';
import type { FaultInterval, OpCounts, Outcomes, ReportInput, RunSummary } from './input.js';
import { exactJsonText } from '../history/exact-json.js';

/** What a run directory held, as read (any part may be missing after a crash). */
export interface RunParts {
  /** The run directory's name, used when test.json has no name. */
  dirName: string;
  test?: Json;
  results?: Json;
  events: readonly HistoryEvent[];
  /** The history's last line was torn (the run was killed mid-write). */
  tornTail?: boolean;
  /** Problems met while reading (a file missing or unreadable). */
  problems?: string[];
}

const NS_PER_MS = 1e6;

/** Builds the report's input from what was read. Pure: the loader does the reading. */
export function buildReportInput(parts: RunParts): ReportInput {
  const test = isObj(parts.test) ? parts.test : {};
  const spec = isObj(test['spec']) ? test['spec'] : {};
  const results = isObj(parts.results) ? parts.results : undefined;
  const problems = [...(parts.problems ?? [])];
  if (parts.tornTail === true) problems.push('history.jsonl ends in a torn line (the run was killed while writing); that line was left out.');
  if (results !== undefined && Array.isArray(results['errors'])) {
    for (const e of results['errors']) if (typeof e === 'string') problems.push(e);
  }

  const checkers = results !== undefined && Array.isArray(results['checkers']) ? results['checkers'].map(checkerReport) : [];
  const { verdict, reason } = overallVerdict(results, checkers.map((c) => c.verdict));
  const name = str(test['name']) ?? str(results?.['name']) ?? parts.dirName;
  const input: ReportInput = {
    name,
    verdict,
    summary: summary(test, spec, results, parts.events),
    events: parts.events,
    checkers,
    faults: faultIntervals(parts.events),
    counts: countOps(parts.events),
    problems,
  };
  const startedAt = str(test['startedAt']);
  if (startedAt !== undefined) input.startedAt = startedAt;
  if (reason !== undefined) input.verdictReason = reason;
  return input;
}

/**
 * A run is green only when results.json exists, says valid, and every checker in it says
 * valid. A missing results.json means the run never got to checking: unknown, never valid.
 */
export function overallVerdict(results: { [k: string]: Json } | undefined, checkerVerdicts: ReturnType<typeof asVerdict>[]): { verdict: ReturnType<typeof worstVerdict>; reason?: string } {
  if (results === undefined) {
    return { verdict: 'unknown', reason: 'The run did not finish: there is no results.json (it crashed, was killed, or is still running), so nothing was checked.' };
  }
  if (checkerVerdicts.length === 0) return { verdict: 'unknown', reason: 'No checker result was recorded, so nothing vouches for this history.' };
  const recorded = asVerdict(results['verdict']) ?? 'unknown';
  const verdict = worstVerdict([recorded, ...checkerVerdicts.map((v) => v ?? 'unknown')]);
  const reasons = Array.isArray(results['verdictReasons']) ? results['verdictReasons'].filter((r): r is string => typeof r === 'string') : [];
  if (verdict === 'unknown' && reasons.length > 0) return { verdict, reason: `Unknown because ${reasons.join('; ')}.` };
  if (results['stopReason'] === 'interrupted' && verdict === 'valid') {
    return { verdict, reason: 'The run was interrupted: the history that was recorded is valid, but the run is shorter than planned.' };
  }
  return { verdict };
}

function summary(test: { [k: string]: Json }, spec: { [k: string]: Json }, results: { [k: string]: Json } | undefined, events: readonly HistoryEvent[]): RunSummary {
  const versions: Record<string, string> = {};
  const v = test['versions'];
  if (isObj(v)) {
    if (typeof v['faultline'] === 'string') versions['faultline'] = v['faultline'];
    if (isObj(v['systems'])) for (const [k, s] of Object.entries(v['systems'])) versions[k] = String(s);
  }
  const cluster = results?.['cluster'];
  const fromCluster = isObj(cluster) && Array.isArray(cluster['nodes']) ? cluster['nodes'].map((n) => (isObj(n) ? str(n['name']) : undefined)).filter((n): n is string => n !== undefined) : [];
  const fromHistory = [...new Set(events.map((e) => e.node).filter((n): n is string => n !== undefined))].sort();
  const nemesis = spec['nemesis'];
  const seed = spec['seed'] ?? test['seed'];
  const shown = new Set(['system', 'workload', 'nemesis', 'seed', 'name', 'nodes']);
  const settings: Array<[string, string]> = Object.entries(spec)
    .filter(([k]) => !shown.has(k))
    .map(([k, val]) => [k, typeof val === 'string' ? val : exactJsonText(val)]);
  if (typeof spec['nodes'] === 'number') settings.unshift(['node count', String(spec['nodes'])]);
  // How reads were made changes what a verdict means (e.g. etcd serializable reads may be stale by design).
  const readMode = str(results?.['readMode']);
  if (readMode !== undefined) settings.unshift(['read mode', readMode]);
  const s: RunSummary = {
    versions,
    nodes: fromCluster.length > 0 ? fromCluster : fromHistory,
    nemesis: Array.isArray(nemesis) ? nemesis.map(String) : typeof nemesis === 'string' ? [nemesis] : [],
    durationMs: events.length === 0 ? 0 : (events[events.length - 1]!.time - events[0]!.time) / NS_PER_MS,
    settings,
  };
  const system = str(spec['system']) ?? str(results?.['system']);
  if (system !== undefined) s.system = system;
  const workload = str(spec['workload']) ?? str(results?.['workload']);
  if (workload !== undefined) s.workload = workload;
  if (typeof seed === 'number') s.seed = seed;
  const stop = str(results?.['stopReason']);
  if (stop !== undefined) s.stopReason = stop;
  return s;
}

/** Completed client operations by outcome, by function and by node (an invocation never completed counts as info). */
export function countOps(events: readonly HistoryEvent[]): OpCounts {
  const counts: OpCounts = { total: zero(), byFunction: {}, byNode: {} };
  const open = new Map<number, HistoryEvent>();
  const add = (invoke: HistoryEvent, outcome: keyof Outcomes, node: string | undefined): void => {
    counts.total[outcome]++;
    (counts.byFunction[invoke.f] ??= zero())[outcome]++;
    (counts.byNode[node ?? 'unknown'] ??= zero())[outcome]++;
  };
  for (const e of events) {
    if (e.process === NEMESIS) continue;
    if (e.type === 'invoke') {
      open.set(e.process, e);
      continue;
    }
    const invoke = open.get(e.process);
    if (invoke === undefined) continue;
    open.delete(e.process);
    add(invoke, e.type, invoke.node ?? e.node);
  }
  for (const invoke of open.values()) add(invoke, 'info', invoke.node);
  return counts;
}

function zero(): Outcomes {
  return { ok: 0, fail: 0, info: 0 };
}

/**
 * Fault bands from the nemesis events: `start-X` opens X at its invocation, `stop-X`
 * closes it at its completion, `heal-all` closes everything. Drawn wide on purpose: the
 * fault may be in effect anywhere between those two instants.
 */
export function faultIntervals(events: readonly HistoryEvent[]): FaultInterval[] {
  const t0 = events[0]?.time ?? 0;
  const endMs = events.length === 0 ? 0 : (events[events.length - 1]!.time - t0) / NS_PER_MS;
  const out: FaultInterval[] = [];
  const active = new Map<string, FaultInterval>();
  const close = (kind: string, atMs: number): void => {
    const f = active.get(kind);
    if (f === undefined) return;
    f.endMs = atMs;
    f.open = false;
    active.delete(kind);
  };
  for (const e of events) {
    if (e.process !== NEMESIS) continue;
    const atMs = (e.time - t0) / NS_PER_MS;
    const m = /^(start|stop)-(.+)$/.exec(e.f);
    if (m !== null) {
      const [, verb, kind] = m as unknown as [string, string, string];
      if (verb === 'start' && e.type === 'invoke' && !active.has(kind)) {
        const f: FaultInterval = { fault: kind, startMs: atMs, endMs, targets: '', open: true };
        active.set(kind, f);
        out.push(f);
      } else if (verb === 'start' && e.type !== 'invoke') {
        const f = active.get(kind);
        if (f !== undefined) f.targets = targetsOf(e.value);
      } else if (verb === 'stop' && e.type !== 'invoke') {
        close(kind, atMs);
      }
    } else if (e.f === 'heal-all' && e.type !== 'invoke') {
      for (const kind of [...active.keys()]) close(kind, atMs);
    }
  }
  return out;
}

/** A partition shows its shape and who could talk to whom (`isolate-one: n3 | n1 n2`); other faults their targets. */
function targetsOf(value: Json): string {
  const details = isObj(value) ? value['details'] : undefined;
  if (isObj(details) && isObj(details['grudge'])) {
    const shape = typeof details['shape'] === 'string' ? `${details['shape']}: ` : '';
    return `${shape}${describeGrudge(details['grudge'])}`;
  }
  if (isObj(value) && Array.isArray(value['targets'])) return value['targets'].map(String).join(', ');
  return value === null ? '' : exactJsonText(value);
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
