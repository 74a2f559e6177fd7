import { createRequire } from 'node:module';
import type { parseEDNString as ParseEDNString } from 'edn-data';
import type { HistoryEvent } from '../event.js';
import { describe, fail, parserMessage, toEvent } from './normalize.js';

/** Keywords as plain strings (`:append` → "append"), vectors/lists/sets as arrays, maps as objects. */
const OPTIONS: Parameters<typeof ParseEDNString>[1] = {
  mapAs: 'object',
  keywordAs: 'string',
  listAs: 'array',
  setAs: 'array',
  symbolAs: 'string',
  charAs: 'string',
};

/**
 * edn-data, required when the first EDN text is parsed: a JSON Lines check (the common case)
 * never pays for it, and a synchronous require of this CommonJS package skips the ESM
 * loader's export scan of it (the CLI's start-up, docs/run.md).
 */
let parser: typeof ParseEDNString | undefined;
function parseEDNString(text: string, options: Parameters<typeof ParseEDNString>[1]): unknown {
  parser ??= (createRequire(import.meta.url)('edn-data') as { parseEDNString: typeof ParseEDNString }).parseEDNString;
  return parser(text, options);
}

export function parseEdnValue(text: string): unknown {
  return parseEDNString(exactLongIntegers(text), OPTIONS);
}

/**
 * edn-data reads `9007199254740993` as a double (…992) and only `…993N` as a bigint: long
 * integer literals get their `N` here, so every integer stays exact.
 */
export function exactLongIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') i = afterString(text, i);
    else if (c === ';') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (c === '\\') i += 2; // a character literal: \a, \1
    else if (/[-+\d]/.test(c) && (i === 0 || DELIMITER.test(text[i - 1]!))) {
      let j = i + 1;
      while (j < text.length && isDigit(text[j]!)) j++;
      if (j - i >= 16 && (j === text.length || DELIMITER.test(text[j]!)) && !Number.isSafeInteger(Number(text.slice(i, j)))) {
        out += `${text.slice(from, j)}N`;
        from = j;
      }
      i = j;
    } else i++;
  }
  return out + text.slice(from);
}

/** What may stand before or after a number token in EDN. */
const DELIMITER = /[\s,()[\]{}]/;

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function afterString(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
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
      fail(at, `expected an EDN map (${parserMessage(err)})`);
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
    return fail({ file, position: 0 }, `expected an EDN vector of event maps (${parserMessage(err)})`);
  }
  if (!Array.isArray(raw)) {
    return fail({ file, line: 1, position: 0 }, 'expected an EDN vector [...] or list (...) of event maps; it is not closed or not a collection');
  }
  return raw.map((item, position) => toEvent(item, { file, position }));
}
