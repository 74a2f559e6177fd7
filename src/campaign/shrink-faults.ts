import { describeGrudge } from '../history/faults.js';
import type { Json } from '../history/event.js';
import type { RecordedFault } from '../../nemesis/replay.js';

/**
 * One fault of a schedule: a start and the stop that ended it (none when the run's final heal
 * did). Shrinking removes whole faults, never half of one.
 */
export interface FaultUnit {
  readonly start: RecordedFault;
  readonly stop?: RecordedFault;
}

/** The schedule as faults: each start paired with the next stop of its kind. */
export function faultUnits(schedule: readonly RecordedFault[]): FaultUnit[] {
  const units: { start: RecordedFault; stop?: RecordedFault }[] = [];
  const open = new Map<string, { start: RecordedFault; stop?: RecordedFault }[]>();
  for (const step of schedule) {
    const [, verb, kind] = /^(start|stop)-(.+)$/.exec(step.f) ?? [];
    if (kind === undefined) continue;
    if (verb === 'start') {
      const unit: { start: RecordedFault; stop?: RecordedFault } = { start: step };
      units.push(unit);
      open.set(kind, [...(open.get(kind) ?? []), unit]);
    } else {
      for (const unit of open.get(kind) ?? []) unit.stop = step;
      open.delete(kind);
    }
  }
  return units;
}

/** The schedule of some faults, in time order (a stop shared by several starts kept once). */
export function scheduleOf(units: readonly FaultUnit[]): RecordedFault[] {
  const steps = new Set<RecordedFault>();
  for (const u of units) {
    steps.add(u.start);
    if (u.stop !== undefined) steps.add(u.stop);
  }
  return [...steps].sort((a, b) => a.atMs - b.atMs);
}

/** A fault in words a person can act on: `kill of n1, 2.0–5.0 s`, `partition isolate-one (n2 | n1 n3), 11.0–14.0 s`. */
export function describeUnit(u: FaultUnit): string {
  const kind = u.start.f.replace(/^start-/, '');
  const v = u.start.value;
  let what = kind;
  if (typeof v === 'string' && v.startsWith('nodes:')) what = `${kind} of ${v.slice('nodes:'.length).split(',').join(', ')}`;
  else if (isObject(v) && isObject(v['grudge'])) what = `${kind} ${typeof v['shape'] === 'string' ? v['shape'] : ''} (${describeGrudge(v['grudge'])})`.replace('  ', ' ');
  else if (isObject(v) && typeof v['targets'] === 'string') what = `${kind} of ${v['targets'].replace(/^nodes:/, '').split(',').join(', ')}`;
  else if (typeof v === 'number') what = `${kind} of ${(v / 1000).toFixed(1)} s`;
  const until = u.stop === undefined ? 'the end' : `${(u.stop.atMs / 1000).toFixed(1)} s`;
  return `${what}, ${(u.start.atMs / 1000).toFixed(1)} s–${until}`;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Delta debugging (Zeller's ddmin) over faults: the smallest subset, found by removing
 * chunks and keeping any removal after which `stillFails` holds, 1-minimal when it ends
 * (removing any single fault of the result makes it pass). `stillFails` runs real tests,
 * so the search stops when `budgetLeft` says so, returning the smallest set found so far.
 */
export async function ddmin<T>(items: readonly T[], stillFails: (subset: readonly T[]) => Promise<boolean>, budgetLeft: () => boolean = () => true): Promise<{ result: T[]; complete: boolean }> {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    if (!budgetLeft()) return { result: current, complete: false };
    const chunks = split(current, n);
    let reduced = false;
    for (const chunk of chunks) {
      if (!budgetLeft()) return { result: current, complete: false };
      if (await stillFails(chunk)) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (const chunk of chunks) {
        if (!budgetLeft()) return { result: current, complete: false };
        const rest = current.filter((x) => !chunk.includes(x));
        if (await stillFails(rest)) {
          current = rest;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(n * 2, current.length);
    }
  }
  return { result: current, complete: true };
}

function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / n);
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
