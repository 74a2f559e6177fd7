import { InputError } from '../../errors.js';
import { type EventType, type HistoryEvent, type Json, NEMESIS } from '../event.js';
import { exactInteger, exactJsonText } from '../exact-json.js';

/** Where a raw event came from, for error messages. */
export interface Origin {
  file: string;
  /** 1-based line, when the format has one event per line. */
  line?: number;
  /** Position of the event in the file (0-based), used when a field is missing. */
  position: number;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(['invoke', 'ok', 'fail', 'info']);

/**
 * Turns one parsed map (from JSON or EDN, keywords already plain strings) into a
 * HistoryEvent. Missing `index`/`time` default to the position (Elle's JSON and old Jepsen
 * histories have no times: their order is the real-time order); a missing `f` means a
 * transaction, as in Elle's histories.
 */
export function toEvent(raw: unknown, at: Origin): HistoryEvent {
  const map = unwrapTagged(raw);
  if (map === undefined) fail(at, `expected an event map, found ${describe(raw)}`);
  const type = map['type'];
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) {
    fail(at, `expected "type" to be one of invoke, ok, fail, info; found ${describe(type)}`);
  }
  const event: HistoryEvent = {
    index: optionalCount(map, 'index', at) ?? at.position,
    time: optionalCount(map, 'time', at) ?? at.position,
    process: processOf(map['process'], at),
    type: type as EventType,
    f: functionOf(map['f'], at),
    value: valueOf(map['value'], at, 'value'),
  };
  const key = typeof map['key'] === 'bigint' ? exactInteger(map['key']) : map['key'];
  if (key !== undefined && key !== null) {
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') fail(at, `expected "key" to be a string or number, found ${describe(key)}`);
    // Keys only group operations: an integer beyond 2^53 keeps its identity as its digits.
    event.key = typeof key === 'bigint' ? String(key) : key;
  }
  const node = map['node'];
  if (node !== undefined && node !== null) event.node = typeof node === 'string' ? node : exactJsonText(valueOf(node, at, 'node'));
  const error = map['error'];
  if (error !== undefined && error !== null) event.error = typeof error === 'string' ? error : exactJsonText(valueOf(error, at, 'error'));
  return event;
}

export function fail(at: Pick<Origin, 'file' | 'line' | 'position'>, detail: string, hint?: string): never {
  const where = at.line === undefined ? `event ${at.position}: ` : '';
  throw new InputError(at.file, at.line, where + detail, hint ?? 'see docs/history.md for the accepted formats');
}

/** EDN records (`#jepsen.history.Op{...}`) arrive from edn-data as `{tag, val}`. */
function unwrapTagged(raw: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(raw)) return undefined;
  const keys = Object.keys(raw);
  if (keys.length === 2 && 'tag' in raw && 'val' in raw && isPlainObject(raw['val'])) return raw['val'];
  return raw;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalCount(map: Record<string, unknown>, field: string, at: Origin): number | undefined {
  const v = safe(map[field]);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(at, `expected "${field}" to be a non-negative number, found ${describe(v)}`);
  return v;
}

/** EDN's `1N` is a bigint however small: as a count, it must fit a double exactly. */
function safe(v: unknown): unknown {
  return typeof v === 'bigint' ? exactInteger(v) : v;
}

function processOf(raw: unknown, at: Origin): HistoryEvent['process'] {
  const v = safe(raw);
  if (v === NEMESIS) return NEMESIS;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return fail(at, `expected "process" to be a non-negative integer or "nemesis", found ${describe(v)}`);
}

function functionOf(v: unknown, at: Origin): string {
  if (v === undefined || v === null) return 'txn';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return fail(at, `expected "f" to be a string, found ${describe(v)}`);
}

/**
 * Values nest at most this deep. Checkers, explanations and reports walk values
 * recursively; a bound here keeps a hostile file from overflowing the stack there.
 */
export const MAX_VALUE_DEPTH = 256;

function valueOf(v: unknown, at: Origin, field: string): Json {
  try {
    return toJson(v ?? null);
  } catch (err) {
    if (err instanceof ValueError) fail(at, `"${field}" ${err.message}`);
    throw err;
  }
}

class ValueError extends Error {}

/**
 * Plain JSON from whatever a parser produced (EDN sets/dates/tags included). Integers stay
 * exact: a bigint (EDN's `1N`, a long literal) is a number when it fits a double exactly.
 * Throws ValueError for what no history can mean: an invalid date, nesting too deep.
 */
export function toJson(v: unknown, depth = 0): Json {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return exactInteger(v);
    case 'object': {
      if (depth >= MAX_VALUE_DEPTH) throw new ValueError(`nests deeper than ${MAX_VALUE_DEPTH} levels`);
      const inner = (x: unknown): Json => toJson(x, depth + 1);
      if (Array.isArray(v)) return v.map(inner);
      if (v instanceof Set) return [...v].map(inner);
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new ValueError('holds an #inst that is not a valid date');
        return v.toISOString();
      }
      if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(inner(k)), inner(x)]));
      // fromEntries defines own properties, so a "__proto__" key stays data, not a prototype.
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inner(x)]));
    }
    default:
      return String(v);
  }
}

/**
 * A parser's complaint as one readable line: control characters escaped, long excerpts
 * cut, and the EDN parser's JavaScript-level failures ("undefined is not iterable") said
 * as what they mean for the file.
 */
export function parserMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  if (/is not iterable|cannot read propert|is not a function|call stack/i.test(raw)) {
    return /call stack/i.test(raw) ? 'it nests too deeply' : 'a form is incomplete, or a # dispatch or tag is not followed by a valid form';
  }
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = exactJsonText(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
