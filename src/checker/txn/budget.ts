/** A wall-clock budget checked cheaply from hot loops (the clock is read once every 256 calls). */
export class Deadline {
  private readonly at: number;
  private ticks = 0;
  private hit = false;

  constructor(limitMs: number | undefined) {
    this.at = limitMs === undefined ? Infinity : performance.now() + limitMs;
  }

  expired(): boolean {
    if (this.hit) return true;
    if (this.at === Infinity || (++this.ticks & 255) !== 0) return false;
    this.hit = performance.now() > this.at;
    return this.hit;
  }

  /** Reads the clock now (for checkpoints between phases). */
  check(): boolean {
    if (!this.hit && this.at !== Infinity) this.hit = performance.now() > this.at;
    return this.hit;
  }
}
