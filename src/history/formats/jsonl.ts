import type { HistoryEvent } from '../event.js';
import { fail, toEvent } from './normalize.js';

/**
 * faultline's own format: one JSON object per line (blank lines ignored). A run killed
 * mid-write leaves a partial last line with no newline after it: that line is dropped, so
 * a crashed run's history stays checkable. A broken line anywhere else is an error.
 */
export function parseJsonLines(text: string, file: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const at = { file, line: i + 1, position: events.length };
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      const tornTail = i === lines.length - 1;
      if (tornTail) break;
      fail(at, `expected one JSON event object on this line (${(err as Error).message})`);
    }
    events.push(toEvent(raw, at));
  }
  return events;
}

/** A JSON array of event maps: Elle's JSON histories (no `f`, no `time`). */
export function parseJsonArray(text: string, file: string): HistoryEvent[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
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
 * runner appends these as events happen.
 */
export function serializeEvent(e: HistoryEvent): string {
  const record: Record<string, unknown> = { index: e.index, time: e.time, process: e.process, type: e.type, f: e.f };
  if (e.key !== undefined) record['key'] = e.key;
  record['value'] = e.value;
  if (e.node !== undefined) record['node'] = e.node;
  if (e.error !== undefined) record['error'] = e.error;
  return `${JSON.stringify(record)}\n`;
}

export function serializeHistory(events: Iterable<HistoryEvent>): string {
  let out = '';
  for (const e of events) out += serializeEvent(e);
  return out;
}
