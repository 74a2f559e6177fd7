import type { LinearizedSet } from './linearized-set.js';

/** Bytes per slot of the table (seven 32-bit columns), for the memory budget. */
const SLOT_BYTES = 28;

/**
 * Configurations (linearized set, state id) already explored: an open-addressing hash
 * table over typed arrays, so remembering millions of them makes no garbage. A set is
 * stored as its window (see LinearizedSet): `low`, `high`, the first two words inline,
 * wider windows in a side list.
 */
/** The table's columns: slot i of each array describes one remembered configuration. */
interface Columns {
  hash: Uint32Array;
  /** -1 marks an empty slot. */
  state: Int32Array;
  low: Int32Array;
  high: Int32Array;
  w0: Uint32Array;
  w1: Uint32Array;
  /** Index into `wide` + 1, or 0 when the window fits in two words. */
  wideRef: Int32Array;
}

function columns(capacity: number): Columns {
  return {
    hash: new Uint32Array(capacity),
    state: new Int32Array(capacity).fill(-1),
    low: new Int32Array(capacity),
    high: new Int32Array(capacity),
    w0: new Uint32Array(capacity),
    w1: new Uint32Array(capacity),
    wideRef: new Int32Array(capacity),
  };
}

export class SeenConfigurations {
  private mask: number;
  private c: Columns;
  private readonly wide: Uint32Array[] = [];
  private wideBytes = 0;
  size = 0;

  constructor(capacity = 1 << 12) {
    this.mask = capacity - 1;
    this.c = columns(capacity);
  }

  get bytes(): number {
    return (this.mask + 1) * SLOT_BYTES + this.wideBytes;
  }

  /** Remembers the configuration; false when it was already there. */
  add(set: LinearizedSet, state: number): boolean {
    const { low, high, bits } = set;
    const c = this.c;
    const lo = low >>> 5;
    const width = high >= low ? (high >>> 5) - lo + 1 : 0;
    const w0 = width > 0 ? bits[lo]! : 0;
    const w1 = width > 1 ? bits[lo + 1]! : 0;
    const h = (set.h1 ^ Math.imul(state + 1, 0x9e3779b1) ^ Math.imul(set.h2 ^ state, 0x85ebca77)) >>> 0;
    let i = h & this.mask;
    while (c.state[i] !== -1) {
      if (
        c.hash[i] === h &&
        c.state[i] === state &&
        c.low[i] === low &&
        c.high[i] === high &&
        c.w0[i] === w0 &&
        c.w1[i] === w1 &&
        (c.wideRef[i] === 0 || sameWords(this.wide[c.wideRef[i]! - 1]!, bits, lo + 2))
      ) {
        return false;
      }
      i = (i + 1) & this.mask;
    }
    c.hash[i] = h;
    c.state[i] = state;
    c.low[i] = low;
    c.high[i] = high;
    c.w0[i] = w0;
    c.w1[i] = w1;
    if (width > 2) {
      const rest = bits.slice(lo + 2, lo + width);
      this.wide.push(rest);
      this.wideBytes += 64 + rest.byteLength;
      c.wideRef[i] = this.wide.length;
    } else {
      c.wideRef[i] = 0;
    }
    if (++this.size * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.c;
    const capacity = (this.mask + 1) * 2;
    this.mask = capacity - 1;
    const c = (this.c = columns(capacity));
    for (let j = 0; j < old.state.length; j++) {
      if (old.state[j] === -1) continue;
      let i = old.hash[j]! & this.mask;
      while (c.state[i] !== -1) i = (i + 1) & this.mask;
      c.hash[i] = old.hash[j]!;
      c.state[i] = old.state[j]!;
      c.low[i] = old.low[j]!;
      c.high[i] = old.high[j]!;
      c.w0[i] = old.w0[j]!;
      c.w1[i] = old.w1[j]!;
      c.wideRef[i] = old.wideRef[j]!;
    }
  }
}

function sameWords(saved: Uint32Array, bits: Uint32Array, from: number): boolean {
  for (let i = 0; i < saved.length; i++) if (saved[i] !== bits[from + i]) return false;
  return true;
}
