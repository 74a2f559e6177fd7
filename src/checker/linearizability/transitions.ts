/** At most this many transitions are remembered (12 bytes a slot, half full: ~200 MiB); past it the memo starts over. */
const MAX_ENTRIES = 1 << 23;

/**
 * A memo of model transitions (state, op) → next state (-1: refused), as an
 * open-addressing hash table over typed arrays: a search step that was taken before is
 * a probe, not a model call, and remembering it makes no garbage. Only transitions the
 * search actually tries are stored, however many ops and states there are.
 */
export class TransitionMemo {
  private mask: number;
  private from: Int32Array;
  private op: Int32Array;
  private to: Int32Array;
  private size = 0;

  /** @param first the first table's slots, a power of two (small for a small partition). */
  constructor(first = 1 << 12) {
    this.mask = first - 1;
    this.from = new Int32Array(first).fill(-1);
    this.op = new Int32Array(first);
    this.to = new Int32Array(first);
  }

  get bytes(): number {
    return (this.mask + 1) * 12;
  }

  /** The remembered next state, or -2 when this transition was never computed. */
  get(state: number, op: number): number {
    let i = slot(state, op) & this.mask;
    for (;;) {
      const f = this.from[i]!;
      if (f === -1) return -2;
      if (f === state && this.op[i] === op) return this.to[i]!;
      i = (i + 1) & this.mask;
    }
  }

  set(state: number, op: number, next: number): void {
    if (this.size >= MAX_ENTRIES) this.reset(this.mask + 1);
    let i = slot(state, op) & this.mask;
    while (this.from[i] !== -1) i = (i + 1) & this.mask;
    this.from[i] = state;
    this.op[i] = op;
    this.to[i] = next;
    if (++this.size * 2 > this.mask) this.grow();
  }

  private reset(capacity: number): void {
    this.mask = capacity - 1;
    this.from = new Int32Array(capacity).fill(-1);
    this.op = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.size = 0;
  }

  private grow(): void {
    const { from, op, to } = this;
    this.reset((this.mask + 1) * 2);
    for (let j = 0; j < from.length; j++) if (from[j] !== -1) this.set(from[j]!, op[j]!, to[j]!);
  }
}

function slot(state: number, op: number): number {
  return Math.imul(state, 0x9e3779b1) ^ Math.imul(op + 1, 0x85ebca77);
}
