import { closeSync, openSync, writeSync } from 'node:fs';
import { InfrastructureError } from '../errors.js';
import type { HistoryEvent } from '../history/event.js';
import type { EventLog } from '../history/event-log.js';
import { serializeEvent } from '../history/formats/jsonl.js';
import type { HistorySink } from '../runner/recorder.js';

/** At most this long between an event and its line reaching the file. */
export const FLUSH_INTERVAL_MS = 100;
const BUFFER_BYTES = 256 * 1024;
/** The most UTF-8 bytes one UTF-16 code unit can take (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;
/** A followed log is serialized at the latest when this many of its events wait (and at every flush). */
const DRAIN_EVENTS = 4096;

/**
 * Appends history events to `history.jsonl`, one JSON object per line (`serializeEvent`), as they
 * happen. Lines are buffered and written whole, at least every 100 ms, when the buffer
 * grows, on `close()`, and when the process exits (even through an uncaught exception).
 * A crash therefore leaves every line flushed so far; a kill -9 or a full disk can leave a
 * torn last line, which `readHistoryJsonl` tolerates.
 *
 * Writes are synchronous: a few kilobytes every 100 ms, and it keeps the file in the order
 * events happened without an async queue to drain on exit. Lines are encoded into an
 * off-heap buffer as they are appended, so they do not live on in the JavaScript heap until
 * the next flush (the garbage collector would copy every one of them, more than once, in a
 * fast run).
 *
 * Two ways in: `append` an event object, or follow the runner's EventLog (`recorded`, the
 * runner's HistorySink): its events are serialized in batches, straight from its columns,
 * at each flush or when 4096 wait. Use one or the other for a file.
 */
export class HistoryWriter implements HistorySink {
  private fd: number | undefined;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private bufferedBytes = 0;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = (): void => this.flushQuietly();
  private followed: EventLog | undefined;
  /** How many of the followed log's events are in the buffer or the file. */
  private drained = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a');
    } catch (err) {
      throw new InfrastructureError(`cannot open ${path} for writing: ${(err as Error).message}`, 'check that the store directory is writable (--store DIR)');
    }
    this.timer = setInterval(() => this.flushQuietly(), FLUSH_INTERVAL_MS);
    this.timer.unref();
    process.on('exit', this.onExit);
  }

  append(event: HistoryEvent): void {
    this.throwIfFailed();
    this.appendLine(serializeEvent(event));
  }

  /** The runner recorded an event in `log` (always the same log for one writer). */
  recorded(log: EventLog): void {
    this.throwIfFailed();
    if (this.followed !== log) {
      if (this.followed !== undefined) throw new Error(`${this.path}: a history writer follows one event log`);
      this.followed = log;
    }
    if (log.length - this.drained >= DRAIN_EVENTS) this.drain();
  }

  /** Serializes the followed log's events that are not in the buffer yet. */
  private drain(): void {
    const log = this.followed;
    if (log === undefined) return;
    for (const end = log.length; this.drained < end; this.drained++) {
      let at = log.encodeLine(this.drained, this.buffer, this.bufferedBytes);
      if (at < 0) {
        this.writeBuffered();
        at = log.encodeLine(this.drained, this.buffer, 0);
      }
      if (at < 0) {
        // A record larger than the whole buffer (a huge value): encoded on its own.
        const big = Buffer.allocUnsafe(-at);
        this.write(big.subarray(0, log.encodeLine(this.drained, big, 0)));
        continue;
      }
      this.bufferedBytes = at;
    }
  }

  private appendLine(line: string): void {
    const room = line.length * MAX_BYTES_PER_UNIT;
    if (this.bufferedBytes + room > BUFFER_BYTES) this.writeBuffered();
    if (room > BUFFER_BYTES) this.write(line);
    else this.bufferedBytes += this.buffer.write(line, this.bufferedBytes);
  }

  /** Serializes what the followed log holds and writes every buffered line now. */
  flush(): void {
    this.throwIfFailed();
    this.drain();
    this.writeBuffered();
  }

  private writeBuffered(): void {
    if (this.bufferedBytes === 0) return;
    const bytes = this.bufferedBytes;
    this.bufferedBytes = 0;
    this.write(this.buffer.subarray(0, bytes));
  }

  private write(data: string | Buffer): void {
    if (this.fd === undefined) return;
    try {
      // writeSync may write less than asked (a full pipe, a signal): carry on until all is out.
      if (typeof data === 'string') data = Buffer.from(data);
      for (let at = 0; at < data.length; ) at += writeSync(this.fd, data, at);
    } catch (err) {
      this.failure = new InfrastructureError(`cannot append to ${this.path}: ${(err as Error).message}`, 'is the disk full?');
      throw this.failure;
    }
  }

  /** Flushes and closes; safe to call twice. Throws if any write failed. */
  close(): void {
    clearInterval(this.timer);
    process.off('exit', this.onExit);
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** The timer and the exit hook cannot throw anywhere useful: remember the failure for the next call. */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // Kept in `failure`, rethrown by the next append/flush/close.
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
