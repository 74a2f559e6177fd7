import { type HistoryEvent, type Json, NEMESIS } from './event.js';

/**
 * One fault as the history shows it: when the nemesis began applying it (`from`, the start's
 * invocation), when it was certainly in effect (`appliedAt`, the start's completion), and
 * when it was certainly over (`to`, the completion of the stop or heal that undid it).
 * Explanations name the faults whose interval touches a moment, so they use the widest
 * bounds: a fault is "in effect" from its invocation to its undoing's completion.
 */
export interface FaultInterval {
  readonly fault: string;
  readonly targets: readonly string[];
  readonly details?: Json;
  /** ns */
  readonly from: number;
  readonly appliedAt: number;
  /** ns; Infinity when the history ends with the fault in effect. */
  to: number;
  /** History indices of the start's completion and of the event that ended it (-1: none). */
  readonly startIndex: number;
  endIndex: number;
}

interface FaultValue {
  fault: string;
  active: boolean;
  targets: string[];
  details?: Json;
}

function faultValues(v: Json): FaultValue[] {
  const one = (x: Json): FaultValue[] => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return [];
    const fault = x['fault'];
    const targets = x['targets'];
    if (typeof fault !== 'string') return [];
    const list = Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : [];
    return [{ fault, active: x['active'] === true, targets: list, ...(x['details'] === undefined ? {} : { details: x['details'] }) }];
  };
  return Array.isArray(v) ? v.flatMap(one) : one(v);
}

/** Whether a start whose fault is over when it completes was applied at all (client-pause says so in its details). */
function wasApplied(f: FaultValue): boolean {
  const d = f.details;
  if (d !== null && typeof d === 'object' && !Array.isArray(d) && d['applied'] === false) return false;
  return f.targets.length > 0;
}

/**
 * The fault intervals of a history, from the nemesis's events (its completions record what was
 * really done: `{fault, active, targets, details}`). A start whose completion says the fault
 * is already over (a client pause lasts as long as its operation) is an interval of its own.
 */
export function faultIntervals(history: readonly HistoryEvent[]): FaultInterval[] {
  const out: FaultInterval[] = [];
  const open = new Map<string, FaultInterval[]>();
  const invokedAt = new Map<string, number>();
  for (const e of history) {
    if (e.process !== NEMESIS) continue;
    if (e.type === 'invoke') {
      invokedAt.set(e.f, e.time);
      continue;
    }
    const from = invokedAt.get(e.f) ?? e.time;
    for (const v of faultValues(e.value)) {
      if (e.f.startsWith('start-') && (v.active || wasApplied(v))) {
        const interval: FaultInterval = {
          fault: v.fault,
          targets: v.targets,
          ...(v.details === undefined ? {} : { details: v.details }),
          from,
          appliedAt: e.time,
          to: v.active ? Infinity : e.time,
          startIndex: e.index,
          endIndex: v.active ? -1 : e.index,
        };
        out.push(interval);
        if (v.active) open.set(v.fault, [...(open.get(v.fault) ?? []), interval]);
      } else if (!v.active) {
        for (const interval of open.get(v.fault) ?? []) {
          interval.to = e.time;
          interval.endIndex = e.index;
        }
        open.delete(v.fault);
      }
    }
  }
  return out;
}

/** The faults whose interval meets [from, to] (ns). */
export function faultsDuring(intervals: readonly FaultInterval[], from: number, to: number): FaultInterval[] {
  return intervals.filter((f) => f.from <= to && f.to >= from);
}

/** A fault in a few words: `pause n2`, `partition halves (n1 | n2 n3)`, `client-pause process 5`. */
export function describeFault(f: FaultInterval): string {
  const d = f.details;
  const details = d !== null && typeof d === 'object' && !Array.isArray(d) ? d : {};
  const shape = typeof details['shape'] === 'string' ? details['shape'] : undefined;
  const grudge = details['grudge'];
  if (shape !== undefined && grudge !== null && typeof grudge === 'object' && !Array.isArray(grudge)) {
    return `partition ${shape} (${describeGrudge(grudge as Record<string, Json>)})`;
  }
  return `${f.fault} ${f.targets.join(', ')}`.trim();
}

/**
 * Who can talk to whom under a grudge (node → nodes it drops): the largest groups of nodes
 * that all reach each other, smallest first, e.g. `n2 | n1 n3`; a bridge node appears in
 * both groups it joins (`n1 n2 | n2 n3`).
 */
export function describeGrudge(grudge: Readonly<Record<string, Json>>): string {
  const nodes = Object.keys(grudge).sort();
  const drops = (a: string, b: string): boolean => {
    const g = grudge[a];
    return Array.isArray(g) && g.includes(b);
  };
  const linked = (a: string, b: string): boolean => !drops(a, b) && !drops(b, a);
  // Bron–Kerbosch: the maximal cliques of the "can talk" graph (at most 15 nodes).
  const groups: string[][] = [];
  const extend = (clique: string[], candidates: string[], excluded: string[]): void => {
    if (candidates.length === 0 && excluded.length === 0) {
      groups.push(clique);
      return;
    }
    for (const n of [...candidates]) {
      extend([...clique, n], candidates.filter((m) => m !== n && linked(n, m)), excluded.filter((m) => linked(n, m)));
      candidates = candidates.filter((m) => m !== n);
      excluded = [...excluded, n];
    }
  };
  extend([], nodes, []);
  return groups
    .map((g) => g.sort())
    .sort((a, b) => a.length - b.length || a.join(' ').localeCompare(b.join(' ')))
    .map((g) => g.join(' '))
    .join(' | ');
}
