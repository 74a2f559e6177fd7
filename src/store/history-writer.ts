import { closeSync, openSync, writeSync } from 'node:fs';
import { InfrastructureError } from '../errors.js';
import type { HistoryEvent } from '../history/event.js';
import { serializeEvent } from '../history/formats/jsonl.js';

/** At most this long between an event and its line reaching the file. */
export const FLUSH_INTERVAL_MS = 100;
const FLUSH_BYTES = 256 * 1024;

/**
 * Appends history events to `history.jsonl`, one JSON object per line (`serializeEvent`), as they
 * happen. Lines are buffered and written whole, at least every 100 ms, when the buffer
 * grows, on `close()`, and when the process exits (even through an uncaught exception).
 * A crash therefore leaves every line flushed so far; a kill -9 or a full disk can leave a
 * torn last line, which `readHistoryJsonl` tolerates.
 *
 * Writes are synchronous: a few kilobytes every 100 ms, and it keeps the file in the order
 * events happened without an async queue to drain on exit.
 */
export class HistoryWriter {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = (): void => this.flushQuietly();

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
    const line = serializeEvent(event);
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= FLUSH_BYTES) this.flush();
  }

  /** Writes the buffered lines now. */
  flush(): void {
    this.throwIfFailed();
    if (this.fd === undefined || this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    try {
      writeSync(this.fd, text);
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
