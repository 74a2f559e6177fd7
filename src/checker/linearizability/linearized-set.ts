/**
 * The set of linearized ops as a bitset, plus what makes remembering it cheap:
 * - a 64-bit Zobrist hash (two 32-bit halves, XOR-updated per op), so hashing is O(1);
 * - the frontier `low` (every op below it is linearized) and `high` (no op above it is),
 *   so a remembered configuration stores only the words between them. Op ids are in call
 *   order and the search only linearizes ops called before the first pending return, so
 *   that window stays about as wide as the history's concurrency, even for a million ops.
 */
export class LinearizedSet {
  readonly bits: Uint32Array;
  private readonly z1: Int32Array;
  private readonly z2: Int32Array;
  h1 = 0;
  h2 = 0;
  /** Smallest op id not linearized (n when all are). */
  low = 0;
  /** Largest op id linearized (-1 when none is). */
  high = -1;

  constructor(readonly size: number) {
    this.bits = new Uint32Array((size + 31) >>> 5);
    this.z1 = new Int32Array(size);
    this.z2 = new Int32Array(size);
    let x = 0x9e3779b9;
    // xorshift32: deterministic, so a search is reproducible run to run.
    for (let i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.z1[i] = x;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.z2[i] = x;
    }
  }

  has(o: number): boolean {
    return (this.bits[o >>> 5]! & (1 << (o & 31))) !== 0;
  }

  add(o: number): void {
    this.bits[o >>> 5]! |= 1 << (o & 31);
    this.h1 ^= this.z1[o]!;
    this.h2 ^= this.z2[o]!;
    if (o > this.high) this.high = o;
    if (o === this.low) {
      let l = o + 1;
      while (l < this.size && this.has(l)) l++;
      this.low = l;
    }
  }

  delete(o: number): void {
    this.bits[o >>> 5]! &= ~(1 << (o & 31));
    this.h1 ^= this.z1[o]!;
    this.h2 ^= this.z2[o]!;
    if (o < this.low) this.low = o;
    if (o === this.high) {
      let h = o - 1;
      while (h >= 0 && !this.has(h)) h--;
      this.high = h;
    }
  }
}
