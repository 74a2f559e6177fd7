import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import { IntList } from './int-tables.js';

/**
 * Micro-op values as int32 codes. Workloads write small non-negative integers, which are
 * their own code; every other value (negative or fractional numbers, numbers or bigints past
 * 2^31, strings, objects) is interned and coded as the bitwise complement of its table slot.
 * Interning is by type and exact text, so equal data gets one code and a bigint past 2^53
 * keeps every digit: equality of values is equality of codes.
 */
export class ValueTable {
  private readonly ids = new Map<string, number>();
  private readonly interned: Json[] = [];

  code(v: Json): number {
    if (typeof v === 'number' && v >= 0 && v <= 0x7fffffff && (v | 0) === v) return v;
    const text = internKey(v);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.interned.length;
      this.ids.set(text, id);
      this.interned.push(v);
    }
    return ~id;
  }

  json(code: number): Json {
    return code >= 0 ? code : this.interned[~code]!;
  }

  jsonList(codes: ArrayLike<number>): Json[] {
    const out = new Array<Json>(codes.length);
    for (let i = 0; i < codes.length; i++) out[i] = this.json(codes[i]!);
    return out;
  }
}

// The type tag keeps 1, "1" and 1n apart, as the object path's `===` does.
function internKey(v: Json): string {
  if (v === null) return 'z';
  switch (typeof v) {
    case 'number':
      return `n${v}`;
    case 'bigint':
      return `b${v}`;
    case 'string':
      return `s${v}`;
    case 'boolean':
      return `o${v}`;
    default:
      return `j${exactJsonText(v)}`;
  }
}

/**
 * List-append reads as code lists, mostly without copies: each key keeps the longest list read
 * so far (its "canonical" list), and a read that is a prefix of it is stored as just its
 * length. A read that extends the canonical list replaces it (old prefixes stay prefixes);
 * only a read that disagrees with it is copied into a shared pool. A history whose reads
 * agree, the normal case, then costs one int per appended element instead of one per
 * element per read.
 */
export class ReadLists {
  private canon: (Int32Array | undefined)[] = [];
  private canonLength = new IntList(1024);
  private readonly pool = new IntList(1024);
  private readonly poolStart = new IntList(1024);
  private readonly scratch = new IntList(64);

  /** Codes a read list; returns its handle: a length (≥ 0) of the key's canonical list, or ~slot of a copy. */
  add(kid: number, list: readonly Json[], values: ValueTable): number {
    const s = this.scratch;
    s.length = 0;
    for (const v of list) s.push(values.code(v));
    const n = s.length;
    const have = kid < this.canonLength.length ? this.canonLength.data[kid]! : 0;
    const c = this.canon[kid];
    const common = Math.min(n, have);
    let i = 0;
    while (i < common && c![i] === s.data[i]) i++;
    if (i < common) {
      const slot = this.poolStart.push(this.pool.length);
      for (let j = 0; j < n; j++) this.pool.push(s.data[j]!);
      return ~slot;
    }
    if (n > have) {
      let next = c;
      if (next === undefined || next.length < n) {
        next = new Int32Array(Math.max(4, n, 2 * (c?.length ?? 0)));
        if (c !== undefined) next.set(c.subarray(0, have));
        this.canon[kid] = next;
      }
      next.set(s.data.subarray(have, n), have);
      this.canonLength.setAt(kid, n, 0);
    }
    return n;
  }

  /** The codes of a read (a view; do not keep it across `add`). */
  codes(kid: number, handle: number): Int32Array {
    if (handle >= 0) return this.canon[kid]?.subarray(0, handle) ?? EMPTY;
    const slot = ~handle;
    const end = slot + 1 < this.poolStart.length ? this.poolStart.data[slot + 1]! : this.pool.length;
    return this.pool.data.subarray(this.poolStart.data[slot]!, end);
  }

  length(kid: number, handle: number): number {
    return handle >= 0 ? handle : this.codes(kid, handle).length;
  }

  /** Copies of reads that disagreed with their key's canonical list when they came. */
  get copies(): number {
    return this.poolStart.length;
  }
}

const EMPTY = new Int32Array(0);
