import type { Json, Key } from '../../history/event.js';
import { READ, READ_LIST, WRITE } from './columns.js';
import { type Arena, IntList, pairHash, pairMapCapacity } from './int-tables.js';
import type { TxnTable } from './table.js';
import { type AnomalyLog, show, showList, showMops } from './transactions.js';
import type { TxnRef } from './types.js';

const EMPTY = new Int32Array(0);

/**
 * Phase 1 of list-append inference: appended elements and committed reads as integer
 * tables over the columnar history. Values are codes (values.ts): equal data, equal code.
 */
export class Collected {
  /** (key id, value code) → element id. */
  readonly index: ElementIndex;
  // Appended elements: who appended them, at which micro-op (global index; the key and value
  // are the micro-op's), and whether it was that transaction's last append to the key.
  readonly elemTxn: IntList;
  readonly elemMop: IntList;
  readonly elemFinal: Uint8Array;
  // Reads by committed transactions; key and list are the micro-op's (a 10M-transaction
  // history has 20M reads: every column not stored is 80 MB).
  readonly readTxn: IntList;
  readonly readMop: IntList;
  /** 1 when the read precedes the transaction's own appends to the key and some follow it. */
  readonly readThenAppend: Uint8Array;
  /** Per key: the read with the longest value, or -1. */
  readonly longest = new IntList();

  constructor(
    readonly table: TxnTable,
    arena: Arena,
  ) {
    const { writes, reads } = table;
    this.elemTxn = new IntList(writes, arena);
    this.elemMop = new IntList(writes, arena);
    this.index = new ElementIndex(writes, this.elemMop, table.cols.mopKey, table.cols.mopVal, arena);
    this.elemFinal = arena.uint8(writes);
    this.readTxn = new IntList(reads, arena);
    this.readMop = new IntList(reads, arena);
    this.readThenAppend = arena.uint8(reads);
  }

  elemKey(e: number): number {
    return this.table.cols.mopKey[this.elemMop.data[e]!]!;
  }

  readKey(r: number): number {
    return this.table.cols.mopKey[this.readMop.data[r]!]!;
  }

  /** The read's list handle (ReadLists): nil reads the empty prefix. */
  readHandle(r: number): number {
    const m = this.readMop.data[r]!;
    const { mopF, mopVal } = this.table.cols;
    return mopF[m] === READ_LIST ? mopVal[m]! : 0;
  }

  readLen(r: number): number {
    return this.table.cols.lists.length(this.readKey(r), this.readHandle(r));
  }

  get keyCount(): number {
    return this.table.cols.keys.length;
  }

  key(kid: number): Key {
    return this.table.key(kid);
  }

  ref(t: number): TxnRef {
    return this.table.ref(t);
  }

  name(t: number): string {
    return this.table.name(t);
  }

  showMops(t: number): string {
    return showMops(this.table.mops(t, 'append'));
  }

  /** The value codes read `r` saw (a view into shared tables). */
  codes(r: number): Int32Array {
    return this.table.cols.lists.codes(this.readKey(r), this.readHandle(r));
  }

  /** Codes as data, for explanations. */
  json(codes: ArrayLike<number>): Json[] {
    return this.table.cols.values.jsonList(codes);
  }

  showCode(code: number): string {
    return show(this.table.cols.values.json(code));
  }

  /** The value element `e` appended. */
  valueOf(e: number): string {
    return this.showCode(this.table.cols.mopVal[this.elemMop.data[e]!]!);
  }

  /** Whether read `r`'s list is a prefix of the codes `top`. */
  isPrefix(r: number, top: number): boolean {
    // Two reads stored as prefixes of their key's canonical list agree up to the shorter.
    if (r === top || (this.readHandle(r) >= 0 && this.readHandle(top) >= 0)) return this.readLen(r) <= this.readLen(top);
    const V = this.codes(r);
    const L = this.codes(top);
    if (V.length > L.length) return false;
    for (let i = 0; i < V.length; i++) if (V[i] !== L[i]) return false;
    return true;
  }
}

export function collect(table: TxnTable, log: AnomalyLog, arena: Arena): Collected {
  const c = new Collected(table, arena);
  const { mopStart, mopCount, mopF, mopKey, mopVal, lists, values } = table.cols;
  const { index, elemTxn, elemMop, elemFinal, readTxn, readMop, readThenAppend, longest } = c;
  const nil = values.code(null);
  const longestLen = new IntList();
  for (let t = 0; t < table.length; t++) {
    const ok = table.isOk(t);
    const start = mopStart[t]!;
    const end = start + mopCount[t]!;
    for (let m = start; m < end; m++) {
      const kid = mopKey[m]!;
      const code = mopVal[m]!;
      if (mopF[m] === WRITE) {
        // Values are unique per key by the workload's contract; a repeat keeps its first writer.
        const slot = index.slotOf(kid, code);
        if (index.at(slot) >= 0) continue;
        const prev = previousAppend(table, start, m);
        if (prev >= 0) {
          // The element of the previous append's value, if this transaction made it: its
          // elements are the last ones pushed, so this looks back over them, not up the index.
          const pv = mopVal[prev]!;
          for (let pe = elemTxn.length - 1; pe >= 0 && elemTxn.data[pe] === t; pe--) {
            const pm = elemMop.data[pe]!;
            if (mopKey[pm] === kid && mopVal[pm] === pv) {
              elemFinal[pe] = 0;
              break;
            }
          }
        }
        elemFinal[elemTxn.push(t)] = 1;
        elemMop.push(m);
        index.put(slot, kid, code, elemTxn.length - 1);
      } else if (ok) {
        if (mopF[m] === READ && code !== nil) {
          log.add('garbage-read', () => ({
            txns: [c.ref(t)],
            key: c.key(kid),
            explanation: `${c.name(t)} read key ${show(c.key(kid))} = ${c.showCode(code)}, which is not a list: nothing appends produce`,
          }));
          continue;
        }
        const handle = mopF[m] === READ_LIST ? code : 0;
        const n = lists.length(kid, handle);
        const r = readTxn.push(t);
        readMop.push(m);
        readThenAppend[r] = readsThenAppends(table, start, end, m) ? 1 : 0;
        if (kid >= longest.length) {
          longest.setAt(kid, -1);
          longestLen.setAt(kid, -1);
        }
        // The best length is kept beside it: the best read's micro-op is far back in the history.
        if (longestLen.data[kid]! < n) {
          longest.data[kid] = r;
          longestLen.data[kid] = n;
        }
        const expected = internalExpectation(c, start, m);
        if (expected !== undefined) {
          log.add('internal', () => ({
            txns: [c.ref(t)],
            key: c.key(kid),
            explanation: `${c.name(t)} read key ${show(c.key(kid))} = ${showList(c.json(c.codes(r)))}, but its own earlier micro-ops imply ${expected}: ` + c.showMops(t),
          }));
        }
      }
    }
  }
  const nKeys = c.keyCount;
  if (longest.length < nKeys) longest.setAt(nKeys - 1, -1);
  return c;
}

function previousAppend(table: TxnTable, start: number, m: number): number {
  const { mopF, mopKey } = table.cols;
  for (let i = m - 1; i >= start; i--) if (mopF[i] === WRITE && mopKey[i] === mopKey[m]) return i;
  return -1;
}

/** Whether the read at `m` precedes every own append to its key, and at least one follows. */
function readsThenAppends(table: TxnTable, start: number, end: number, m: number): boolean {
  const { mopF, mopKey } = table.cols;
  const k = mopKey[m];
  for (let i = start; i < m; i++) if (mopF[i] === WRITE && mopKey[i] === k) return false;
  for (let i = m + 1; i < end; i++) if (mopF[i] === WRITE && mopKey[i] === k) return true;
  return false;
}

/** The codes a micro-op read: its list, or none for nil (or a value that is no list). */
function readCodes(table: TxnTable, m: number): Int32Array {
  const { mopF, mopKey, mopVal, lists } = table.cols;
  return mopF[m] === READ_LIST ? lists.codes(mopKey[m]!, mopVal[m]!) : EMPTY;
}

/**
 * A read must agree with the transaction's own earlier micro-ops on its key: an earlier read
 * plus the appends since, or (with no earlier read) end with the appends made so far.
 * Returns what was expected when it does not.
 */
function internalExpectation(c: Collected, start: number, m: number): string | undefined {
  const { mopF, mopKey, mopVal } = c.table.cols;
  const k = mopKey[m];
  let appended = 0;
  let prior = -1;
  for (let i = m - 1; i >= start; i--) {
    if (mopKey[i] !== k) continue;
    if (mopF[i] === WRITE) appended++;
    else {
      prior = i;
      break;
    }
  }
  if (prior < 0 && appended === 0) return undefined;
  const expected: number[] = prior < 0 ? [] : Array.from(readCodes(c.table, prior));
  for (let i = prior < 0 ? start : prior + 1; i < m; i++) if (mopKey[i] === k && mopF[i] === WRITE) expected.push(mopVal[i]!);
  const read = readCodes(c.table, m);
  const offset = prior < 0 ? read.length - expected.length : 0;
  let agree = prior < 0 ? offset >= 0 : read.length === expected.length;
  for (let i = 0; agree && i < expected.length; i++) agree = read[offset + i] === expected[i];
  if (agree) return undefined;
  return prior < 0 ? `[… ${expected.map((x) => c.showCode(x)).join(' ')}]` : showList(c.json(expected));
}

/**
 * (key id, value code) → element id, by open addressing over element ids alone: a slot's
 * key and value are read back from the element's micro-op, so a slot is 4 bytes instead of
 * the 12 of an IntPairMap (20M appends: 256 MiB instead of 768).
 */
export class ElementIndex {
  private readonly slots: Int32Array;
  /** 8 more bits of each slot's hash: a probe passes other elements' slots without reading their micro-ops. */
  private readonly tags: Uint8Array;
  private readonly mask: number;

  constructor(
    elements: number,
    private readonly elemMop: IntList,
    private readonly mopKey: Int32Array,
    private readonly mopVal: Int32Array,
    arena: Arena,
  ) {
    const capacity = pairMapCapacity(elements);
    this.slots = arena.int32(capacity, -1);
    this.tags = arena.uint8(capacity);
    this.mask = capacity - 1;
  }

  get(kid: number, code: number): number {
    return this.slots[this.slotOf(kid, code)]!;
  }

  /** Adds element `e` (whose micro-op holds kid and code); the pair must be absent. */
  add(kid: number, code: number, e: number): void {
    this.put(this.slotOf(kid, code), kid, code, e);
  }

  /** The element in a slot from `slotOf`, or -1 (empty). */
  at(slot: number): number {
    return this.slots[slot]!;
  }

  /** Puts element `e` into the empty slot `slotOf` gave for its (kid, code), with no insert in between. */
  put(slot: number, kid: number, code: number, e: number): void {
    this.slots[slot] = e;
    this.tags[slot] = pairHash(kid, code) >>> 24;
  }

  /**
   * The slot holding (kid, code), or the empty slot where it belongs. Codes that differ only
   * in their low 4 bits land in neighbouring slots (the block of 16 is hashed, the offset in
   * it is not): appends to one key are usually consecutive numbers, and reading a key's
   * version order then walks one or two cache lines instead of one random line per element.
   * Hashing the block keeps strided values (multiples of 1024, say) from piling up.
   */
  slotOf(kid: number, code: number): number {
    const { slots, tags, mask, elemMop, mopKey, mopVal } = this;
    const tag = pairHash(kid, code) >>> 24;
    let i = (pairHash(kid, code >> 4) + (code & 15)) & mask;
    for (;;) {
      const e = slots[i]!;
      if (e < 0) return i;
      if (tags[i] === tag) {
        const m = elemMop.data[e]!;
        if (mopKey[m] === kid && mopVal[m] === code) return i;
      }
      i = (i + 1) & mask;
    }
  }
}
