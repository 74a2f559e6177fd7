import type { HistoryEvent } from '../history/event.js';

export type EventSink = (event: HistoryEvent) => void;

/**
 * Stamps events with their index and monotonic time (ns since the run started) and hands
 * each to the sink (the run store's history writer) as it happens.
 */
export class Recorder {
  readonly events: HistoryEvent[] = [];
  private readonly t0 = process.hrtime.bigint();

  constructor(private readonly sink?: EventSink) {}

  nowNs(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  nowMs(): number {
    return this.nowNs() / 1e6;
  }

  record(event: Omit<HistoryEvent, 'index' | 'time'>): HistoryEvent {
    const e: HistoryEvent = { index: this.events.length, time: this.nowNs(), ...event };
    this.events.push(e);
    this.sink?.(e);
    return e;
  }
}
