import type { HistoryEvent } from '../history/event.js';

export type EventSink = (event: HistoryEvent) => void;

/**
 * Stamps events with their index and monotonic time (ns since the run started) and hands
 * each to the sink (the run store's history writer) as it happens.
 */
export class Recorder {
  readonly events: HistoryEvent[] = [];
  private readonly t0 = performance.now();
  /** The `performance.now()` reading behind the latest time handed out. */
  lastReading = this.t0;

  constructor(private readonly sink?: EventSink) {}

  /** `performance.now()` is monotonic and as fine as `process.hrtime`, without a BigInt per reading. */
  nowNs(): number {
    return Math.round(this.nowMs() * 1e6);
  }

  nowMs(): number {
    this.lastReading = performance.now();
    return this.lastReading - this.t0;
  }

  record(event: Omit<HistoryEvent, 'index' | 'time'>): HistoryEvent {
    return this.stamp({ index: 0, time: 0, ...event });
  }

  /** Like `record`, for an event built for it: its `index` and `time` are overwritten in place. */
  stamp(e: HistoryEvent): HistoryEvent {
    e.index = this.events.length;
    e.time = this.nowNs();
    this.events.push(e);
    this.sink?.(e);
    return e;
  }
}
