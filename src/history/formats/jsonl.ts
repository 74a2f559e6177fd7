import type { HistoryEvent } from '../event.js';
import { fail, parserMessage, toEvent } from './normalize.js';
import { exactJsonText, parseExactJson } from '../exact-json.js';

/**
 * faultline's own format: one JSON object per line (blank lines ignored). A run killed
 * mid-write leaves a partial last line with no newline after it: that line is dropped, so
 * a crashed run's history stays checkable. A broken line anywhere else is an error.
 */
export function parseJsonLines(text: string, file: string, notes?: string[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  const parser = new JsonLineParser(file, notes, (e) => events.push(e));
  for (let i = 0; i < lines.length; i++) if (!parser.line(lines[i]!, i + 1, i === lines.length - 1)) break;
  return events;
}

/**
 * JSON Lines one line at a time, for a whole text (parseJsonLines) or a file read in chunks
 * (history/stream.ts): each event goes to `emit` as it is parsed.
 */
export class JsonLineParser {
  /** Events emitted so far (an event without an index gets its position). */
  events = 0;

  constructor(
    private readonly file: string,
    private readonly notes: string[] | undefined,
    private readonly emit: (e: HistoryEvent) => void,
  ) {}

  /**
   * Line `number` (1-based); `last`: it is the text after the file's last newline, which a
   * killed writer may have torn. False when that torn tail was left out (nothing follows it).
   */
  line(text: string, number: number, last: boolean): boolean {
    const line = text.trim();
    if (line === '') return true;
    const at = { file: this.file, line: number, position: this.events };
    let raw: unknown;
    try {
      raw = parseExactJson(line);
    } catch (err) {
      if (last) {
        this.notes?.push(`${this.file}:${number}: ${TORN_TAIL}`);
        return false;
      }
      fail(at, `expected one JSON event object on this line (${parserMessage(err)})`);
    }
    const event = toEvent(raw, at);
    this.events++;
    this.emit(event);
    return true;
  }
}

/** A JSON array of event maps: Elle's JSON histories (no `f`, no `time`). */
export function parseJsonArray(text: string, file: string): HistoryEvent[] {
  let raw: unknown;
  try {
    raw = parseExactJson(text);
  } catch (err) {
    const message = parserMessage(err);
    const pos = /position (\d+)/.exec(message);
    const line = pos === null ? undefined : lineOfOffset(text, Number(pos[1]));
    return fail({ file, line, position: 0 }, `expected a JSON array of event maps (${message})`);
  }
  if (!Array.isArray(raw)) return fail({ file, line: 1, position: 0 }, 'expected a JSON array of event maps');
  return raw.map((item, position) => toEvent(item, { file, position }));
}

export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * One event as a JSON Lines record, fields in a fixed order so files diff well. The
 * runner appends these as events happen, so the line is assembled by hand (a record
 * object for `JSON.stringify` costs as much again); only the value goes through it whole.
 * The text is exactly what `JSON.stringify` of the fields in that order gives.
 */
export function serializeEvent(e: HistoryEvent): string {
  let line = `{"index":${json(e.index)},"time":${json(e.time)},"process":${json(e.process)},"type":${quoted(e.type)},"f":${quoted(e.f)}`;
  if (e.key !== undefined) line += `,"key":${json(e.key)}`;
  // A value a client handed back as `undefined` is left out, as JSON.stringify leaves it out.
  if (e.value !== undefined) line += `,"value":${exactJsonText(e.value)}`;
  if (e.node !== undefined) line += `,"node":${quoted(e.node)}`;
  if (e.error !== undefined) line += `,"error":${quoted(e.error)}`;
  return `${line}}\n`;
}

/** Operation names, node names, event types and errors repeat endlessly: each is quoted once. */
const quotedCache = new Map<string, string>();
const QUOTED_CACHE_SIZE = 1000;

function quoted(s: string): string {
  let q = quotedCache.get(s);
  if (q === undefined) {
    q = exactJsonText(s);
    if (quotedCache.size < QUOTED_CACHE_SIZE) quotedCache.set(s, q);
  }
  return q;
}

/** A number or a string as JSON: integers written directly (the common case), the rest as JSON.stringify does. */
function json(x: number | string): string {
  return Number.isSafeInteger(x) ? String(x) : exactJsonText(x);
}

export function serializeHistory(events: Iterable<HistoryEvent>): string {
  let out = '';
  for (const e of events) out += serializeEvent(e);
  return out;
}

/** The note a torn last line leaves: the recording was cut, so a check of it is never `valid`. */
export const TORN_TAIL = 'the last line is torn (the run was killed while writing it); it was left out';
