import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { HistoryEvent } from './event.js';
import { parseEdnCollection, parseEdnLines } from './formats/edn.js';
import { JEPSEN_LOG_LINE, parseJepsenLog } from './formats/jepsen-log.js';
import { parseJsonArray, parseJsonLines } from './formats/jsonl.js';

export type HistoryFormat = 'jsonl' | 'json-array' | 'edn-lines' | 'edn-collection' | 'jepsen-log' | 'empty';

const FORMATS_HINT =
  'accepted: faultline JSON Lines, Elle JSON (an array of op maps), Jepsen EDN (one map per line, or one vector/list of maps), jepsen.log text lines';

/**
 * Picks the format from the content (never the file name): the first character that is
 * not whitespace or part of an EDN `;` comment decides, and text that is neither JSON nor
 * EDN is read as an old jepsen.log if any line looks like an operation.
 */
export function detectFormat(text: string): HistoryFormat {
  const first = firstSignificant(text);
  if (first === undefined) return 'empty';
  const { char, next } = first;
  if (char === '[') return looksLikeJson(text) ? 'json-array' : 'edn-collection';
  if (char === '(') return 'edn-collection';
  if (char === '{') return next === '"' || next === '}' ? 'jsonl' : 'edn-lines';
  return 'jepsen-log';
}

/**
 * Reads history text in any accepted format into events. Throws InputError naming file and
 * line. What was read but left out (a torn last line) is said in `notes`.
 */
export function parseHistory(text: string, file: string, notes?: string[]): HistoryEvent[] {
  const format = detectFormat(text);
  switch (format) {
    case 'empty':
      return [];
    case 'jsonl':
      return parseJsonLines(text, file, notes);
    case 'json-array':
      return parseJsonArray(text, file);
    case 'edn-lines':
      return parseEdnLines(text, file);
    case 'edn-collection':
      return parseEdnCollection(text, file);
    case 'jepsen-log': {
      if (!text.split('\n').some((l) => JEPSEN_LOG_LINE.test(l.trim()))) {
        const line = firstSignificantLine(text);
        throw new InputError(file, line, 'unrecognised history format: expected JSON, EDN or jepsen.log operation lines', FORMATS_HINT);
      }
      return parseJepsenLog(text, file);
    }
  }
}

export async function readHistoryFile(path: string, notes?: string[]): Promise<HistoryEvent[]> {
  return parseHistory(await readHistoryText(path), path, notes);
}

/** A history file's text; a file that cannot be read is an InputError naming it. */
export async function readHistoryText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new InputError(path, undefined, `cannot read history: ${why}`, 'pass the path of a history file');
  }
}

function firstSignificant(text: string): { char: string; next: string | undefined } | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ';') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl + 1;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === '\uFEFF') {
      i++;
    } else {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      return { char: c, next: text[j] };
    }
  }
  return undefined;
}

function firstSignificantLine(text: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() !== '');
  return i < 0 ? 1 : i + 1;
}

/** JSON arrays of maps start `[{"` (or are empty); EDN vectors start `[{:`. */
function looksLikeJson(text: string): boolean {
  return /^[\s\uFEFF]*\[\s*(\{\s*["}]|\])/.test(text);
}
