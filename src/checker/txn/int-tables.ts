/**
 * Integer tables outside the JS object heap. A million-transaction history is already a
 * gigabyte of small objects that every major garbage collection must mark, so the checker
 * keeps its own data in typed arrays (never traced) carved from one Arena: V8 starts a major
 * collection for every 64 MiB of new array buffers, and one reservation up front costs one
 * collection instead of one per table.
 */

export class Arena {
  private readonly buffer: ArrayBuffer;
  private used = 0;

  /** Reserves `bytes` (untouched pages cost no memory); requests beyond it get their own buffers. */
  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(Math.max(0, Math.ceil(bytes / 8) * 8));
  }

  int32(n: number, fill = 0): Int32Array {
    const bytes = n * 4;
    let a: Int32Array;
    if (this.used + bytes <= this.buffer.byteLength) {
      a = new Int32Array(this.buffer, this.used, n);
      this.used += Math.ceil(bytes / 8) * 8;
    } else a = new Int32Array(n);
    // Reused views may hold old data only if fill is not the buffer's initial zero.
    if (fill !== 0) a.fill(fill);
    return a;
  }

  uint8(n: number): Uint8Array {
    if (this.used + n <= this.buffer.byteLength) {
      const a = new Uint8Array(this.buffer, this.used, n);
      this.used += Math.ceil(n / 8) * 8;
      return a;
    }
    return new Uint8Array(n);
  }
}

/** For small or short-lived tables. */
export const HEAP: Arena = new Arena(0);

export class IntList {
  data: Int32Array;
  length = 0;

  constructor(
    capacity = 1024,
    private readonly arena: Arena = HEAP,
  ) {
    this.data = arena.int32(Math.max(capacity, 16));
  }

  push(x: number): number {
    if (this.length === this.data.length) {
      const next = this.arena.int32(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = x;
    return this.length++;
  }

  /** Sets index `i`, growing (with `fill` in the new slots) as needed. */
  setAt(i: number, x: number, fill = -1): void {
    if (i >= this.data.length) {
      let cap = this.data.length * 2;
      while (cap <= i) cap *= 2;
      const next = this.arena.int32(cap, fill);
      next.set(this.data);
      this.data = next;
    }
    if (i >= this.length) {
      this.data.fill(fill, this.length, i);
      this.length = i + 1;
    }
    this.data[i] = x;
  }
}

/**
 * A map from (int32, int32) to a non-negative int32, by open addressing in one typed array
 * of (x, y, value) triples, so that a probe touches one cache line. `get` answers -1 for
 * absent pairs.
 */
export class IntPairMap {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  /** `expected` entries fit without rehashing. */
  constructor(
    expected = 1024,
    private readonly arena: Arena = HEAP,
  ) {
    const capacity = pairMapCapacity(expected);
    this.slots = this.emptySlots(capacity);
    this.mask = capacity - 1;
  }

  get(x: number, y: number): number {
    const slots = this.slots;
    let i = pairHash(x, y) & this.mask;
    for (;;) {
      const at = i * 3;
      const found = slots[at + 2]!;
      if (found === -1) return -1;
      if (slots[at] === x && slots[at + 1] === y) return found;
      i = (i + 1) & this.mask;
    }
  }

  set(x: number, y: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash();
    const slots = this.slots;
    let i = pairHash(x, y) & this.mask;
    for (;;) {
      const at = i * 3;
      if (slots[at + 2] === -1) {
        slots[at] = x;
        slots[at + 1] = y;
        slots[at + 2] = value;
        this.size++;
        return;
      }
      if (slots[at] === x && slots[at + 1] === y) {
        slots[at + 2] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private emptySlots(capacity: number): Int32Array {
    const slots = this.arena.int32(capacity * 3);
    for (let i = 2; i < slots.length; i += 3) slots[i] = -1;
    return slots;
  }

  private rehash(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = this.emptySlots(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 3) if (old[at + 2] !== -1) this.set(old[at]!, old[at + 1]!, old[at + 2]!);
  }
}

/** The power-of-two table size an IntPairMap uses for `expected` entries (at most half full). */
export function pairMapCapacity(expected: number): number {
  let c = 16;
  while (c < expected * 2 + 2) c *= 2;
  return c;
}

/** The hash IntPairMap spreads (x, y) with. */
export function pairHash(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
