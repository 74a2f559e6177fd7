import { type FileHandle, open } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { HistoryEvent } from './event.js';
import { JsonLineParser } from './formats/jsonl.js';
import { type HistoryFormat, detectFormat, parseHistory, readHistoryText } from './read.js';

/** Bytes read at a time (and the prefix the format is told from). */
const CHUNK = 1 << 20;

/**
 * Reads a history file and hands each event to `emit` as it is parsed, holding neither the
 * file's text nor its events: JSON Lines (faultline's format, the big files) is read in
 * chunks, line by line. The other formats are one value each (an EDN or JSON collection)
 * or rare (jepsen.log) and are parsed whole, then emitted. Same events, errors and notes as
 * `parseHistory` of the whole text.
 */
export async function streamHistoryFile(
  path: string,
  emit: (e: HistoryEvent) => void,
  notes?: string[],
  /** Bytes read at a time (small in tests, so lines straddle reads). */
  chunk = CHUNK,
): Promise<{ format: HistoryFormat; events: number }> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
  } catch {
    // The whole-text reader words the error (no such file, a directory, ...).
    await readHistoryText(path);
    throw new InputError(path, undefined, 'cannot read history');
  }
  const fh = handle;
  try {
    let buffer = Buffer.alloc(chunk);
    let filled = 0;
    const fill = async (): Promise<number> => {
      try {
        const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, null);
        filled += bytesRead;
        return bytesRead;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new InputError(path, undefined, `cannot read history: ${code === 'EISDIR' ? 'is a directory' : (err as Error).message}`, 'pass the path of a history file');
      }
    };
    let ended = (await fill()) === 0;
    while (!ended && filled < buffer.length) ended = (await fill()) === 0;
    // A prefix tells JSON Lines apart for certain (its first significant characters are `{"`
    // or `{}`); anything else, or a prefix that cannot tell, is read whole.
    const format = detectFormat(buffer.toString('utf8', 0, filled));
    if (format !== 'jsonl') {
      await fh.close();
      handle = undefined;
      const text = await readHistoryText(path);
      const events = parseHistory(text, path, notes);
      for (const e of events) emit(e);
      return { format: detectFormat(text), events: events.length };
    }
    const parser = new JsonLineParser(path, notes, emit);
    let lineNo = 0;
    for (;;) {
      // Every complete line in the buffer (a newline byte never occurs inside a UTF-8 character).
      let start = 0;
      for (let nl = buffer.indexOf(10, start); nl >= 0 && nl < filled; nl = buffer.indexOf(10, start)) {
        lineNo++;
        parser.line(buffer.toString('utf8', start, nl), lineNo, false);
        start = nl + 1;
      }
      if (ended) {
        if (start < filled) parser.line(buffer.toString('utf8', start, filled), lineNo + 1, true);
        return { format, events: parser.events };
      }
      // Keep the partial line; a line longer than the buffer doubles it.
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
      if (filled === buffer.length) {
        const bigger = Buffer.alloc(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      ended = (await fill()) === 0;
    }
  } finally {
    await handle?.close();
  }
}
