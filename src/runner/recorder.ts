import type { EventType, HistoryEvent, Json, Key, ProcessId } from '../history/event.js';
import { EventLog } from '../history/event-log.js';

/**
 * Follows the history as it is recorded: told after every event, it reads the log when it
 * chooses (the history writer serializes batches of lines from it), so recording an event
 * costs no object and no serialization.
 */
export interface HistorySink {
  recorded(log: EventLog): void;
}

/** A sink for each event as an object (tests, library users), or one that follows the log. */
export type EventSink = ((event: HistoryEvent) => void) | HistorySink;

/**
 * Stamps events with their index and monotonic time (ns since the run started), keeps
 * them in an EventLog, and tells the sink (the run store's history writer) as each happens.
 */
export class Recorder {
  readonly log = new EventLog();
  private readonly t0 = performance.now();
  /** The `performance.now()` reading behind the latest time handed out. */
  lastReading = this.t0;

  /**
   * A sink that throws (a full disk under the history writer) is dropped and reported to
   * `onSinkFailure` once: the events go on being recorded in memory, and the run decides
   * how to stop. Throwing into the run loop instead would leave it half-stopped.
   */
  constructor(
    private sink?: EventSink,
    private readonly onSinkFailure?: (err: unknown) => void,
  ) {}

  /** `performance.now()` is monotonic and as fine as `process.hrtime`, without a BigInt per reading. */
  nowNs(): number {
    return Math.round(this.nowMs() * 1e6);
  }

  nowMs(): number {
    this.lastReading = performance.now();
    return this.lastReading - this.t0;
  }

  record(e: Omit<HistoryEvent, 'index' | 'time'>): void {
    this.add(e.process, e.type, e.f, e.value, e.key, e.node, e.error);
  }

  /** Records an event now; returns its time (ns). */
  add(process: ProcessId, type: EventType, f: string, value: Json, key?: Key, node?: string, error?: string): number {
    const time = this.nowNs();
    const i = this.log.append(time, process, type, f, value, key, node, error);
    const sink = this.sink;
    if (sink !== undefined) {
      try {
        if (typeof sink === 'function') sink(this.log.event(i));
        else sink.recorded(this.log);
      } catch (err) {
        this.sink = undefined;
        this.onSinkFailure?.(err);
      }
    }
    return time;
  }
}
