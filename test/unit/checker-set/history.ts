/** Small builders for hand-made and simulated histories in the set and counter checker tests. */
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';

/** One operation: who, what, when (invoke and completion times), and how it ended. */
export interface OpSpec {
  f: string;
  /** The invocation's value (element, delta). */
  input: Json;
  /** The completion's value (what a read returned). */
  output?: Json;
  type: 'ok' | 'fail' | 'info';
  call: number;
  /** Absent: never completed. */
  ret?: number;
}

/** Events for `specs` (each op on its own process), in time order, paired back into operations. */
export function opsOf(specs: readonly OpSpec[]): Operation[] {
  return pairHistory(eventsOf(specs)).ops;
}

/** The history events for `specs`, each op on its own process, in time order. */
export function eventsOf(specs: readonly OpSpec[]): HistoryEvent[] {
  const raw: Omit<HistoryEvent, 'index'>[] = [];
  specs.forEach((s, process) => {
    raw.push({ time: s.call, process, type: 'invoke', f: s.f, value: s.input });
    if (s.ret !== undefined) raw.push({ time: s.ret, process, type: s.type, f: s.f, value: s.type === 'ok' ? (s.output ?? s.input) : s.input });
  });
  // Stable: an invocation and a completion at the same time keep the order they were given in.
  return raw.map((e, i) => ({ e, i })).sort((a, b) => a.e.time - b.e.time || a.i - b.i).map(({ e }, index) => ({ ...e, index }));
}

type Step = [f: string, input: Json, output?: Json, type?: 'ok' | 'fail' | 'info'];

const specsOf = (steps: readonly Step[]): OpSpec[] =>
  steps.map(([f, input, output, type], i) => ({ f, input, output: output ?? input, type: type ?? 'ok', call: 2 * i, ret: 2 * i + 1 }));

/** Sequential operations, one per time unit: `[f, input, output?, type?]`. */
export function sequential(steps: readonly Step[]): Operation[] {
  return opsOf(specsOf(steps));
}

export function sequentialEvents(steps: readonly Step[]): HistoryEvent[] {
  return eventsOf(specsOf(steps));
}
