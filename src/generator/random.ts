import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * The run's randomness. One seed, split into named streams so that a choice drawn for one
 * purpose never shifts another: adding a fault draws from `faults` and leaves the `ops`
 * sequence untouched.
 */
export type StreamName = 'ops' | 'keys' | 'faults' | 'routing' | (string & {});

export interface Rng {
  /** A uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  /** A uniform float in [0, 1). */
  float(): number;
  /** A uniformly chosen element; throws on an empty list (a caller bug). */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

class PureRng implements Rng {
  constructor(private readonly gen: RandomGenerator) {}

  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  float(): number {
    return uniformFloat64(this.gen);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/** 32-bit FNV-1a: spreads (seed, stream name) into a stream seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }

  /** The stream with this name; the same object on every call, so draws continue where they left off. */
  stream(name: StreamName): Rng {
    let rng = this.streams.get(name);
    if (rng === undefined) {
      rng = new PureRng(xoroshiro128plus(fnv1a(`${this.seed}/${name}`)));
      this.streams.set(name, rng);
    }
    return rng;
  }
}

/** A fresh seed for a run that was not given one (recorded in test.json so it can be replayed). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
