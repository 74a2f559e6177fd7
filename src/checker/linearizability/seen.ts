import type { LinearizedSet } from './linearized-set.js';

/** Bytes per slot of the table (five 32-bit columns), for the memory budget. */
const SLOT_BYTES = 20;
const FIRST_CAPACITY = 1 << 12;
const FIRST_ARENA_WORDS = 1 << 12;

/**
 * Configurations (linearized set, state id) already explored: an open-addressing hash
 * table over typed arrays, so remembering millions of them makes no garbage. A set is
 * stored as its prefix length `low` (every op below it is linearized), `high` (no op
 * above it is) and the bitset words between them, copied into one growing arena: the
 * ops before the oldest open one are not stored at all, so an entry's size follows the
 * history's concurrency, not its length, and adding one allocates nothing (the arena
 * and the table double now and then).
 *
 * Forgetting is always sound here: the memo only saves re-exploring a configuration, the
 * search is exhaustive either way. So when the table reaches its byte limit it forgets
 * the configurations furthest behind (smallest prefix) — those a search moving forward
 * is least likely to meet again — instead of giving up: memory stays bounded, and only
 * time can run out.
 */
export class SeenConfigurations {
  private mask: number;
  private hash: Uint32Array;
  /** -1 marks an empty slot. */
  private state: Int32Array;
  private low: Int32Array;
  private high: Int32Array;
  /** Where the entry's window words start in `words`. */
  private at: Int32Array;
  // Sized in the constructor: a small partition's arena is small (allocating and zeroing
  // 16 KiB per key, then dropping it, was a measurable share of a tiny partition's cost).
  private words: Uint32Array;
  private used = 0;
  size = 0;
  /** Configurations forgotten to stay under the limit. */
  forgotten = 0;
  /**
   * @param windowed false stores every set from op 0 (the whole bitset): the reference
   *   the windowed form is tested against, and a baseline for benchmarks.
   * @param limit bytes the table may take; past it, it forgets instead of growing. A
   *   small one also makes the first table small (tests make it forget all the time).
   * @param first the first table's slots (a power of two): small for a small partition,
   *   whose whole search is cheaper than filling a large table (thousands of per-key
   *   partitions each pay it).
   */
  constructor(
    private readonly windowed = true,
    public limit = Infinity,
    first = FIRST_CAPACITY,
  ) {
    let capacity = first;
    while (capacity > 8 && capacity * SLOT_BYTES * 2 > limit) capacity >>>= 1;
    this.words = new Uint32Array(Math.min(capacity, FIRST_ARENA_WORDS));
    this.mask = capacity - 1;
    this.hash = new Uint32Array(capacity);
    this.state = new Int32Array(capacity).fill(-1);
    this.low = new Int32Array(capacity);
    this.high = new Int32Array(capacity);
    this.at = new Int32Array(capacity);
  }

  get bytes(): number {
    return (this.mask + 1) * SLOT_BYTES + this.words.byteLength;
  }

  /** Remembers the configuration; false when it was already there. */
  add(set: LinearizedSet, state: number): boolean {
    const { low, high, bits } = set;
    const lo = this.windowed ? low >>> 5 : 0;
    const width = high >= low ? (high >>> 5) - lo + 1 : 0;
    const h = (set.h1 ^ Math.imul(state + 1, 0x9e3779b1) ^ Math.imul(set.h2 ^ state, 0x85ebca77)) >>> 0;
    const mask = this.mask;
    let i = h & mask;
    for (let s = this.state[i]!; s !== -1; s = this.state[i]!) {
      if (this.hash[i] === h && s === state && this.low[i] === low && this.high[i] === high && this.sameWords(this.at[i]!, bits, lo, width)) return false;
      i = (i + 1) & mask;
    }
    if (this.used + width > this.words.length) {
      this.growArena(width);
      // Growing the arena may have meant forgetting, which moves entries: probe again.
      if (this.forgetIfOver()) return this.add(set, state);
    }
    this.hash[i] = h;
    this.state[i] = state;
    this.low[i] = low;
    this.high[i] = high;
    this.at[i] = this.used;
    for (let k = 0; k < width; k++) this.words[this.used + k] = bits[lo + k]!;
    this.used += width;
    if (++this.size * 2 > this.mask) {
      if (this.bytes + (this.mask + 1) * SLOT_BYTES > this.limit) this.forget();
      else this.rebuild((this.mask + 1) * 2, -1);
    }
    return true;
  }

  private sameWords(at: number, bits: Uint32Array, lo: number, width: number): boolean {
    const words = this.words;
    for (let k = 0; k < width; k++) if (words[at + k] !== bits[lo + k]) return false;
    return true;
  }

  private growArena(need: number): void {
    let length = this.words.length * 2;
    while (length < this.used + need) length *= 2;
    const words = new Uint32Array(length);
    words.set(this.words.subarray(0, this.used));
    this.words = words;
  }

  /** Forgets when the arena's growth took the table past its limit; true if it did. */
  private forgetIfOver(): boolean {
    if (this.bytes <= this.limit || this.size === 0) return false;
    this.forget();
    return true;
  }

  /** Keeps the configurations with the larger prefixes, about half of them, in a compacted table. */
  private forget(): void {
    const threshold = this.medianLow();
    const before = this.size;
    this.rebuild(this.mask + 1, threshold);
    this.forgotten += before - this.size;
  }

  /** The median prefix length of the entries, from a sample of at most 1024 of them. */
  private medianLow(): number {
    const capacity = this.mask + 1;
    const stride = Math.max(1, Math.floor(capacity / 4096));
    const sample: number[] = [];
    for (let i = 0; i < capacity && sample.length < 1024; i += stride) if (this.state[i] !== -1) sample.push(this.low[i]!);
    sample.sort((a, b) => a - b);
    return sample.length === 0 ? 0 : sample[sample.length >>> 1]!;
  }

  /**
   * Re-inserts the entries into a table of `capacity` slots and a compacted arena, keeping
   * only those whose prefix is above `keepAbove` (-1 keeps all).
   */
  private rebuild(capacity: number, keepAbove: number): void {
    const { hash, state, low, high, at, words, windowed } = this;
    this.mask = capacity - 1;
    this.hash = new Uint32Array(capacity);
    this.state = new Int32Array(capacity).fill(-1);
    this.low = new Int32Array(capacity);
    this.high = new Int32Array(capacity);
    this.at = new Int32Array(capacity);
    const arena = keepAbove < 0 ? words : new Uint32Array(words.length);
    let used = keepAbove < 0 ? this.used : 0;
    let size = 0;
    for (let j = 0; j < state.length; j++) {
      if (state[j] === -1 || low[j]! <= keepAbove) continue;
      let i = hash[j]! & this.mask;
      while (this.state[i] !== -1) i = (i + 1) & this.mask;
      this.hash[i] = hash[j]!;
      this.state[i] = state[j]!;
      this.low[i] = low[j]!;
      this.high[i] = high[j]!;
      if (keepAbove < 0) {
        this.at[i] = at[j]!;
      } else {
        const lo = windowed ? low[j]! >>> 5 : 0;
        const width = high[j]! >= low[j]! ? (high[j]! >>> 5) - lo + 1 : 0;
        this.at[i] = used;
        arena.set(words.subarray(at[j]!, at[j]! + width), used);
        used += width;
      }
      size++;
    }
    this.words = arena;
    this.used = used;
    this.size = size;
  }
}
