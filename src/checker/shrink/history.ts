import { type HistoryEvent, NEMESIS } from '../../history/event.js';
import { ddmin } from './ddmin.js';

export interface ShrunkHistory {
  /** The sub-history, events in their original order with their original `index` (greppable). */
  events: HistoryEvent[];
  /** Client operations kept, of how many. */
  ops: number;
  of: number;
  /** Removing any one remaining operation makes the history no longer invalid. */
  minimal: boolean;
  checks: number;
}

/**
 * The smallest failing history: delta debugging over client operations — each an invocation
 * with its completion, so no candidate ever has a dangling half — keeping every process's
 * order and every nemesis event (they cost the checker nothing and keep the faults in view).
 * `stillFails` runs the same checker with the same model and says whether a candidate fails
 * *the same way*: invalid (an `unknown` is not evidence) and without a new kind of failure —
 * dropping the write a read saw would otherwise "shrink" any history to one read of a value
 * nobody wrote. Returns undefined when the history itself does not fail.
 */
export async function shrinkHistory(
  events: readonly HistoryEvent[],
  stillFails: (events: HistoryEvent[]) => Promise<boolean>,
  deadline = Infinity,
): Promise<ShrunkHistory | undefined> {
  const units = operationUnits(events);
  const nemesis = events.filter((e) => e.process === NEMESIS);
  const assemble = (kept: readonly HistoryEvent[][]): HistoryEvent[] => [...nemesis, ...kept.flat()].sort((a, b) => order(events, a, b));
  if (!(await stillFails([...events]))) return undefined;
  const result = await ddmin(units, async (subset) => stillFails(assemble(subset)), deadline);
  return { events: assemble(result.items), ops: result.items.length, of: units.length, minimal: result.minimal, checks: result.tests + 1 };
}

/** Client events grouped per operation: an invocation and its process's next completion (or none). */
export function operationUnits(events: readonly HistoryEvent[]): HistoryEvent[][] {
  const units: HistoryEvent[][] = [];
  const open = new Map<number, HistoryEvent[]>();
  for (const e of events) {
    if (e.process === NEMESIS) continue;
    if (e.type === 'invoke') {
      const unit = [e];
      units.push(unit);
      open.set(e.process, unit);
    } else {
      const unit = open.get(e.process);
      if (unit === undefined) units.push([e]);
      else {
        unit.push(e);
        open.delete(e.process);
      }
    }
  }
  return units;
}

/** Events keep the history's order: by position in the original list. */
function order(all: readonly HistoryEvent[], a: HistoryEvent, b: HistoryEvent): number {
  return positionOf(all, a) - positionOf(all, b);
}

const positions = new WeakMap<readonly HistoryEvent[], Map<HistoryEvent, number>>();
function positionOf(all: readonly HistoryEvent[], e: HistoryEvent): number {
  let map = positions.get(all);
  if (map === undefined) {
    map = new Map(all.map((x, i) => [x, i]));
    positions.set(all, map);
  }
  return map.get(e) ?? 0;
}
