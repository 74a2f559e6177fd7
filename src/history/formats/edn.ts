import { parseEDNString } from 'edn-data';
import type { HistoryEvent } from '../event.js';
import { describe, fail, toEvent } from './normalize.js';

/** Keywords as plain strings (`:append` → "append"), vectors/lists/sets as arrays, maps as objects. */
const OPTIONS: Parameters<typeof parseEDNString>[1] = {
  mapAs: 'object',
  keywordAs: 'string',
  listAs: 'array',
  setAs: 'array',
  symbolAs: 'string',
  charAs: 'string',
};

export function parseEdnValue(text: string): unknown {
  return parseEDNString(text, OPTIONS);
}

/** Jepsen's `history.edn`: one map per line, `;` comments and blank lines ignored. */
export function parseEdnLines(text: string, file: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith(';')) continue;
    const at = { file, line: i + 1, position: events.length };
    if (!line.startsWith('{')) fail(at, `expected an EDN map {...} on this line, found ${describe(line)}`);
    let raw: unknown;
    try {
      raw = parseEdnValue(line);
    } catch (err) {
      fail(at, `expected an EDN map (${(err as Error).message})`);
    }
    // edn-data returns null for an unterminated form rather than throwing.
    if (raw === null) fail(at, 'expected a complete EDN map {...}; this one is not closed');
    events.push(toEvent(raw, at));
  }
  return events;
}

/** A whole file holding one EDN vector or list of maps (as Knossos writes them). */
export function parseEdnCollection(text: string, file: string): HistoryEvent[] {
  let raw: unknown;
  try {
    raw = parseEdnValue(text);
  } catch (err) {
    return fail({ file, position: 0 }, `expected an EDN vector of event maps (${(err as Error).message})`);
  }
  if (!Array.isArray(raw)) {
    return fail({ file, line: 1, position: 0 }, 'expected an EDN vector [...] or list (...) of event maps; it is not closed or not a collection');
  }
  return raw.map((item, position) => toEvent(item, { file, position }));
}
