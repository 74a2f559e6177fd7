import { type HistoryEvent, type Json, NEMESIS } from '../src/history/event.js';
import { nemesis } from '../src/generator/routing.js';
import { EXHAUSTED, type Generator, emit, generator, pendingUntil } from '../src/generator/types.js';
import { explicitTargets } from './targets.js';

/**
 * One step of a fault schedule as it was applied: when it began (ms since the run started),
 * the nemesis operation, and a value naming what was really done — the nodes a kill hit, the
 * grudge a partition had — so that a replay does the same thing, not another draw.
 */
export interface RecordedFault {
  readonly atMs: number;
  readonly f: string;
  readonly value: Json;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The value that makes `start-X` do again what it did: a partition's recorded grudge, the
 * nodes a target spec resolved to (`nodes:n2`), the rest of the original value kept (a
 * clock change's offset, a packet fault's loss). Undefined when nothing was applied.
 */
function concreteValue(invoked: Json, result: Json): Json | undefined {
  if (!isObject(result)) return invoked;
  const details = result['details'];
  if (isObject(details) && details['applied'] === false) return undefined;
  const targets = Array.isArray(result['targets']) ? result['targets'].filter((t): t is string => typeof t === 'string') : [];
  if (isObject(details) && isObject(details['grudge'])) return { shape: details['shape'] ?? 'replayed', grudge: details['grudge'] };
  if (typeof invoked === 'string') return targets.length === 0 ? undefined : explicitTargets(targets);
  if (isObject(invoked) && typeof invoked['targets'] === 'string') return targets.length === 0 ? undefined : { ...invoked, targets: explicitTargets(targets) };
  return invoked;
}

/**
 * The schedule a run's nemesis really applied, from its history: every start and stop (not
 * the final heal, which every run does), in order, with concrete values. A start that
 * applied nothing is left out, and so is its stop.
 */
export function recordedSchedule(history: readonly HistoryEvent[]): RecordedFault[] {
  const out: RecordedFault[] = [];
  const invokes = new Map<string, HistoryEvent>();
  const skipped = new Set<string>();
  for (const e of history) {
    if (e.process !== NEMESIS) continue;
    if (e.type === 'invoke') {
      invokes.set(e.f, e);
      continue;
    }
    const invoke = invokes.get(e.f);
    invokes.delete(e.f);
    if (invoke === undefined || e.error !== undefined) continue;
    const kind = /^(start|stop)-(.+)$/.exec(e.f);
    if (kind === null) continue;
    const atMs = Math.round(invoke.time / 1e6);
    if (kind[1] === 'start') {
      const value = concreteValue(invoke.value, e.value);
      if (value === undefined) skipped.add(kind[2]!);
      else {
        skipped.delete(kind[2]!);
        out.push({ atMs, f: e.f, value });
      }
    } else if (!skipped.has(kind[2]!)) out.push({ atMs, f: e.f, value: null });
  }
  return out;
}

/** The fault kinds a schedule uses (`start-kill` → `kill`). */
export function scheduleKinds(schedule: readonly RecordedFault[]): string[] {
  return [...new Set(schedule.map((s) => s.f.replace(/^(start|stop)-/, '')))];
}

/**
 * The nemesis generator that replays `schedule`: each operation at its recorded time (or as
 * soon after as the previous one finished), then nothing more.
 */
export function replaySchedule(schedule: readonly RecordedFault[]): Generator {
  return nemesis(
    generator(() => {
      let next = 0;
      return {
        next(ctx) {
          const step = schedule[next];
          if (step === undefined) return EXHAUSTED;
          if (ctx.nowMs < step.atMs) return pendingUntil(step.atMs);
          next++;
          return emit({ f: step.f, value: step.value });
        },
      };
    }),
  );
}
