import { type EventType, type HistoryEvent, type Json, type Key, NEMESIS, type ProcessId } from './event.js';
import { FIELD, FIXED_BYTES, Fragments, numberField, putBytes, putInt, putPair, putNumber, utf8 } from './formats/jsonl-bytes.js';
import { exactJsonText } from './exact-json.js';

const TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];
/** The index of `type` in TYPES (comparisons: a keyed lookup costs more on every event). */
function typeCode(type: EventType): number {
  return type === 'invoke' ? 0 : type === 'ok' ? 1 : type === 'fail' ? 2 : 3;
}
const TYPE_FRAGMENTS = TYPES.map((t) => utf8(`,"type":${exactJsonText(t)}`));
const NULL_VALUE = utf8(',"value":null');
/** `process` of a nemesis event: no client process is NaN. */
const NEMESIS_CODE = Number.NaN;
const enum KeyKind {
  None = 0,
  Number = 1,
  String = 2,
}
/** How a value is kept: the small ones a runner records most in columns, the rest by reference. */
const enum ValueKind {
  Null = 0,
  Int = 1,
  Pair = 2,
  Other = 3,
}
/** String code of an absent node or error. */
const ABSENT = 0;
/** Events per chunk (a power of two): the columns grow a chunk at a time, never copied. */
const CHUNK_BITS = 14;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/** The columns of CHUNK_SIZE events. */
class Chunk {
  readonly times = new Float64Array(CHUNK_SIZE);
  /** A client process id, or NEMESIS_CODE. */
  readonly processes = new Float64Array(CHUNK_SIZE);
  readonly types = new Uint8Array(CHUNK_SIZE);
  /** String codes. */
  readonly fs = new Uint32Array(CHUNK_SIZE);
  readonly nodes = new Uint32Array(CHUNK_SIZE);
  readonly errors = new Uint32Array(CHUNK_SIZE);
  readonly keyKinds = new Uint8Array(CHUNK_SIZE);
  /** A number key itself, or a string key's code. */
  readonly keys = new Float64Array(CHUNK_SIZE);
  readonly valueKinds = new Uint8Array(CHUNK_SIZE);
  /** An integer value, a pair's first integer, or the index of an other value in `others`. */
  readonly valueA = new Float64Array(CHUNK_SIZE);
  readonly valueB = new Float64Array(CHUNK_SIZE);
}

/**
 * An append-only history kept in columns: numbers in typed arrays, the strings that repeat
 * (operation names, nodes, errors, string keys) interned once, the common values (null,
 * an integer, a pair of integers) in columns too, other values by reference.
 *
 * Why not an array of event objects: a run records two events per operation, tens of
 * thousands a second, and every event lives to the end of the run, so each object is
 * copied by the garbage collector on its way to old space; that, and serializing each one
 * as it is recorded, was most of the runner's cost per operation. Here an event is ~60
 * bytes of columns, the history writer encodes lines straight from them in batches, and
 * event objects are made only when asked for (`event`, `events`).
 */
export class EventLog {
  private readonly chunks: Chunk[] = [];
  /** Values that are not null, an integer or a pair of integers (kept as given, `undefined` too). */
  private readonly others: Json[] = [];
  /** Interned strings by code (code 0: absent). */
  private readonly strings: string[] = [''];
  private readonly codes = new Map<string, number>();
  private count = 0;
  /** The pieces of JSON that repeat from record to record, each encoded once. */
  private readonly fragments = {
    f: this.stringField('f'),
    node: this.stringField('node'),
    error: this.stringField('error'),
    stringKey: this.stringField('key'),
    numberKey: numberField('key'),
    process: new Fragments((p) => `,"process":${Number.isNaN(p) ? exactJsonText(NEMESIS) : exactJsonText(p)}`),
  };

  get length(): number {
    return this.count;
  }

  /** Appends one event; its index is the log's length before the call (returned). */
  append(time: number, process: ProcessId, type: EventType, f: string, value: Json, key?: Key, node?: string, error?: string): number {
    const i = this.count;
    const j = i & CHUNK_MASK;
    if (j === 0) this.chunks.push(new Chunk());
    const c = this.chunks[i >>> CHUNK_BITS]!;
    c.times[j] = time;
    c.processes[j] = process === NEMESIS ? NEMESIS_CODE : process;
    c.types[j] = typeCode(type);
    c.fs[j] = this.code(f);
    if (key === undefined) c.keyKinds[j] = KeyKind.None;
    else if (typeof key === 'number') {
      c.keyKinds[j] = KeyKind.Number;
      c.keys[j] = key;
    } else {
      c.keyKinds[j] = KeyKind.String;
      c.keys[j] = this.code(key);
    }
    c.nodes[j] = node === undefined ? ABSENT : this.code(node);
    c.errors[j] = error === undefined ? ABSENT : this.code(error);
    this.putValue(c, j, value);
    this.count = i + 1;
    return i;
  }

  /**
   * A value a run records by the million (null, an integer, a pair like a CAS's
   * `[expected, next]`) goes in columns: kept by reference, each pair would live, and be
   * copied by the garbage collector, to the end of the run.
   */
  private putValue(c: Chunk, j: number, v: Json): void {
    if (v === null) c.valueKinds[j] = ValueKind.Null;
    else if (Number.isSafeInteger(v)) {
      c.valueKinds[j] = ValueKind.Int;
      c.valueA[j] = v as number;
    } else if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) {
      c.valueKinds[j] = ValueKind.Pair;
      c.valueA[j] = v[0] as number;
      c.valueB[j] = v[1] as number;
    } else {
      c.valueKinds[j] = ValueKind.Other;
      c.valueA[j] = this.others.length;
      this.others.push(v);
    }
  }

  /** Event `i` as an object, with the fields an event recorded as an object would have. */
  event(i: number): HistoryEvent {
    const c = this.chunk(i);
    const j = i & CHUNK_MASK;
    const p = c.processes[j]!;
    const e: HistoryEvent = { index: i, time: c.times[j]!, process: Number.isNaN(p) ? NEMESIS : p, type: TYPES[c.types[j]!]!, f: this.strings[c.fs[j]!]!, value: this.value(c, j) };
    const keyKind = c.keyKinds[j];
    if (keyKind === KeyKind.Number) e.key = c.keys[j]!;
    else if (keyKind === KeyKind.String) e.key = this.strings[c.keys[j]!]!;
    if (c.nodes[j] !== ABSENT) e.node = this.strings[c.nodes[j]!]!;
    if (c.errors[j] !== ABSENT) e.error = this.strings[c.errors[j]!]!;
    return e;
  }

  private value(c: Chunk, j: number): Json {
    switch (c.valueKinds[j]) {
      case ValueKind.Null:
        return null;
      case ValueKind.Int:
        return c.valueA[j]!;
      case ValueKind.Pair:
        return [c.valueA[j]!, c.valueB[j]!];
      default:
        return this.others[c.valueA[j]!]!;
    }
  }

  /** Events `from` (inclusive) to `to` (exclusive) as objects. */
  events(from = 0, to = this.count): HistoryEvent[] {
    const out: HistoryEvent[] = [];
    for (let i = from; i < to; i++) out.push(this.event(i));
    return out;
  }

  /**
   * Writes event `i` as a JSON Lines record (exactly `serializeEvent(this.event(i))`, in
   * UTF-8) into `out` at `at`, and returns where it ends. When the record might not fit,
   * writes nothing and returns minus the room it needs.
   */
  encodeLine(i: number, out: Buffer, at: number): number {
    const c = this.chunk(i);
    const j = i & CHUNK_MASK;
    const fragments = this.fragments;
    const kind = c.valueKinds[j]!;
    const other = kind === ValueKind.Other ? this.others[c.valueA[j]!] : undefined;
    const slowValue = other === undefined ? undefined : exactJsonText(other);
    const f = fragments.f.of(c.fs[j]!);
    const keyKind = c.keyKinds[j]!;
    const key = keyKind === KeyKind.None ? undefined : keyKind === KeyKind.String ? fragments.stringKey.of(c.keys[j]!) : fragments.numberKey.of(c.keys[j]!);
    const node = c.nodes[j] === ABSENT ? undefined : fragments.node.of(c.nodes[j]!);
    const error = c.errors[j] === ABSENT ? undefined : fragments.error.of(c.errors[j]!);
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = FIXED_BYTES + f.length + (key?.length ?? 0) + (node?.length ?? 0) + (error?.length ?? 0) + 3 * (slowValue?.length ?? 0);
    if (out.length - at < need) return -need;
    at = putNumber(out, putBytes(out, at, FIELD.index), i);
    at = putNumber(out, putBytes(out, at, FIELD.time), c.times[j]!);
    at = putBytes(out, at, fragments.process.of(c.processes[j]!));
    at = putBytes(out, at, TYPE_FRAGMENTS[c.types[j]!]!);
    at = putBytes(out, at, f);
    if (key !== undefined) at = putBytes(out, at, key);
    // A value a client handed back as `undefined` is left out, as JSON.stringify leaves it out.
    if (kind === ValueKind.Null) at = putBytes(out, at, NULL_VALUE);
    else if (kind === ValueKind.Int) at = putInt(out, putBytes(out, at, FIELD.value), c.valueA[j]!);
    else if (kind === ValueKind.Pair) at = putPair(out, putBytes(out, at, FIELD.value), c.valueA[j]!, c.valueB[j]!);
    else if (slowValue !== undefined) {
      at = putBytes(out, at, FIELD.value);
      at += out.write(slowValue, at);
    }
    if (node !== undefined) at = putBytes(out, at, node);
    if (error !== undefined) at = putBytes(out, at, error);
    return putBytes(out, at, FIELD.end);
  }

  /** The chunk holding event `i`. */
  private chunk(i: number): Chunk {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`no event ${i} in a log of ${this.count}`);
    return this.chunks[i >>> CHUNK_BITS]!;
  }

  private code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.strings.length;
      this.strings.push(s);
      this.codes.set(s, c);
    }
    return c;
  }

  /** `,"name":"…"` for an interned string, by its code. */
  private stringField(name: string): Fragments {
    return new Fragments((code) => `,${exactJsonText(name)}:${exactJsonText(this.strings[code])}`);
  }
}
