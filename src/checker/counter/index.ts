import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { exactInteger, exactJsonText } from '../../history/exact-json.js';
import type { Json } from '../../history/event.js';
import { InputError } from '../../errors.js';

/** The operation names the counter checker reads. */
export const COUNTER_ADD = 'add';
export const COUNTER_READ = 'read';

/** A read outside what the adds around it allow. */
export interface BadCounterRead {
  /** The read's invocation event. */
  event: number;
  process: number;
  value: number | bigint;
  /** Sum of acknowledged adds that completed before the read began. */
  lower: number | bigint;
  /** Sum of every add (acknowledged or indeterminate) invoked before the read completed. */
  upper: number | bigint;
}

export interface CounterResult {
  verdict: Verdict;
  explanation: string;
  adds: { attempted: number; acknowledged: number; failed: number; indeterminate: number };
  reads: number;
  badReads: number;
  /** The first 10 bad reads, in invocation order. */
  examples: BadCounterRead[];
  /** Reads that returned something other than an integer. */
  malformedReads: number;
}

const MAX_EXAMPLES = 10;

/** An integer value exactly, as a bigint (sums of many adds pass 2^53), or undefined. */
function integer(v: Json | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v;
  return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
}

/** Sorted times and the running sum of deltas up to each: "how much by time t" by binary search. */
class Cumulative {
  private readonly times: number[];
  private readonly sums: bigint[];

  constructor(points: readonly { time: number; delta: bigint }[]) {
    const sorted = [...points].sort((a, b) => a.time - b.time);
    this.times = sorted.map((p) => p.time);
    let sum = 0n;
    this.sums = sorted.map((p) => (sum += p.delta));
  }

  /** Sum of deltas at times strictly before `t`. */
  before(t: number): bigint {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0n : this.sums[lo - 1]!;
  }
}

/**
 * Bounds check for a counter with non-negative increments: a read must be at least the sum
 * of the adds acknowledged before it began, and at most the sum of every add that may have
 * happened before it ended (acknowledged or indeterminate, invoked before it completed).
 * Failed adds never happened. Without any read there is no verdict. Pure; O(n log n).
 */
export function checkCounter(ops: readonly Operation[], file = 'history'): CounterResult {
  const adds = ops.filter((o) => o.f === COUNTER_ADD);
  const negative = adds.find((o) => (integer(o.input) ?? -1n) < 0n);
  if (negative !== undefined) {
    // Not a counter history (a stored file, say): the user's input to fix, not a checker bug.
    throw new InputError(
      file,
      undefined,
      `event ${negative.invokeIndex}: the add's delta is ${exactJsonText(negative.input)}; the counter check's bounds hold for non-negative integer deltas only`,
      'a counter history adds whole numbers ≥ 0 (see docs/workloads.md)',
    );
  }
  const delta = (o: Operation): bigint => integer(o.input)!;
  const acknowledged = new Cumulative(adds.filter((o) => o.type === 'ok').map((o) => ({ time: o.ret, delta: delta(o) })));
  const possible = new Cumulative(adds.filter((o) => o.type !== 'fail').map((o) => ({ time: o.call, delta: delta(o) })));

  const reads = ops.filter((o) => o.f === COUNTER_READ && o.type === 'ok');
  const examples: BadCounterRead[] = [];
  let badReads = 0;
  let malformedReads = 0;
  for (const r of reads) {
    const value = integer(r.output);
    if (value === undefined) {
      malformedReads++;
      continue;
    }
    const lower = acknowledged.before(r.call);
    // "Invoked before the read completed": at or before its completion time counts.
    const upper = possible.before(r.ret + 1);
    if (value >= lower && value <= upper) continue;
    badReads++;
    if (examples.length < MAX_EXAMPLES) {
      examples.push({ event: r.invokeIndex, process: r.process, value: exactInteger(value), lower: exactInteger(lower), upper: exactInteger(upper) });
    }
  }

  const count = (t: Operation['type']): number => adds.filter((o) => o.type === t).length;
  const verdict: Verdict = badReads > 0 || malformedReads > 0 ? 'invalid' : reads.length === 0 ? 'unknown' : 'valid';
  const first = examples[0];
  const explanation =
    verdict === 'valid'
      ? `all ${reads.length} reads lie within the bounds the ${adds.length} adds allow.`
      : verdict === 'unknown'
        ? 'no read of the counter completed, so nothing can be checked'
        : [
            first === undefined
              ? ''
              : `${badReads} of ${reads.length} reads lie outside their bounds; e.g. the read at event ${first.event} returned ${first.value}, ` +
                (first.value < first.lower
                  ? `below ${first.lower}, the sum of adds acknowledged before it began (acknowledged increments lost)`
                  : `above ${first.upper}, the sum of every add invoked before it ended (increments counted twice, or invented)`),
            malformedReads > 0 ? `${malformedReads} read(s) returned something other than an integer` : '',
          ]
            .filter((s) => s !== '')
            .join('; ') + '.';
  return {
    verdict,
    explanation,
    adds: { attempted: adds.length, acknowledged: count('ok'), failed: count('fail'), indeterminate: count('info') },
    reads: reads.length,
    badReads,
    examples,
    malformedReads,
  };
}
