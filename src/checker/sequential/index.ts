import { InputError } from '../../errors.js';
import type { Json } from '../../history/event.js';
import { describeFault, type FaultInterval, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import { show } from '../txn/transactions.js';
import type { Verdict } from '../verdict.js';

/**
 * Jepsen's "sequential" check (from its CockroachDB tests): a writer inserts the subkeys of a
 * key one after another, each in its own transaction; a reader reads them in the reverse
 * order. Sequential consistency keeps one process's writes in order for every observer, so
 * a reader that saw a later subkey must then see every earlier one: in read order, once a
 * subkey is present, none after it may be missing. A read's value lists the subkeys' values
 * in the order they were read (absent = null), alone or as Jepsen's `[key values]` tuple.
 */

export const SEQUENTIAL_READ = 'read';

export interface SequentialAnomaly {
  /** The read's completion event. */
  readIndex: number;
  process: number;
  key: Json;
  values: Json[];
  explanation: string;
}

export interface SequentialResult {
  verdict: Verdict;
  explanation: string;
  reads: number;
  /** Reads that saw no subkey, some, every one. */
  none: number;
  some: number;
  all: number;
  badReads: number;
  /** The first bad reads, in history order. */
  anomalies: SequentialAnomaly[];
}

export interface SequentialOptions {
  file?: string;
  faults?: readonly FaultInterval[];
  /** Bad reads explained (all are counted). Default 8. */
  maxReported?: number;
}

export function checkSequential(ops: readonly Operation[], options: SequentialOptions = {}): SequentialResult {
  const file = options.file ?? 'history';
  const faults = options.faults ?? [];
  const maxReported = options.maxReported ?? 8;
  const reads = ops.filter((o) => o.f === SEQUENTIAL_READ && o.type === 'ok');
  const timed = ops.some((o) => o.call !== o.invokeIndex);
  const anomalies: SequentialAnomaly[] = [];
  let none = 0;
  let some = 0;
  let all = 0;
  let badReads = 0;
  for (const r of reads) {
    const { key, values } = readValue(r, file);
    const present = values.filter((v) => v !== null).length;
    if (present === 0) none++;
    else if (present === values.length) all++;
    else some++;
    // In read order (latest-written subkey first) a present subkey followed by a missing one.
    const firstPresent = values.findIndex((v) => v !== null);
    const gap = firstPresent < 0 ? -1 : values.indexOf(null, firstPresent);
    if (gap < 0) continue;
    badReads++;
    if (anomalies.length >= maxReported) continue;
    const from = r.node === undefined ? '' : ` from ${r.node}`;
    const at = timed ? ` at ${(r.ret / 1e9).toFixed(2)} s` : '';
    const active = faultsDuring(faults, r.call, r.ret);
    const during = active.length === 0 ? 'with no fault in effect' : `while ${active.map(describeFault).join(' and ')} was in effect`;
    const of = key === undefined ? '' : ` of key ${show(key)}`;
    anomalies.push({
      readIndex: r.completeIndex,
      process: r.process,
      key: key ?? null,
      values,
      explanation:
        `p${r.process} read the subkeys${of}${from}${at} (history index ${r.completeIndex}) ${during} and got ${show(values)} in read order: ` +
        `it saw ${show(values[firstPresent]!)} (the subkey read ${ordinal(firstPresent + 1)}, written later) but nothing for the one read ${ordinal(gap + 1)}, ` +
        `written earlier by the same writer, so the writer's order was not kept.`,
    });
  }
  const verdict: Verdict = badReads > 0 ? 'invalid' : reads.length === 0 ? 'unknown' : 'valid';
  const explanation =
    verdict === 'invalid'
      ? `${badReads} of ${reads.length} reads saw a later subkey without an earlier one; the first: ${anomalies[0]!.explanation}`
      : verdict === 'unknown'
        ? 'no read completed, so nothing was observed to check'
        : `no read of ${reads.length} saw a later subkey without every earlier one (${none} saw none, ${some} some, ${all} all)`;
  return { verdict, explanation, reads: reads.length, none, some, all, badReads, anomalies };
}

function readValue(r: Operation, file: string): { key?: Json; values: Json[] } {
  const v = r.output;
  // Jepsen's independent tuple [key [values…]], or the values alone.
  if (Array.isArray(v) && v.length === 2 && Array.isArray(v[1]) && !Array.isArray(v[0])) return { key: v[0]!, values: v[1] };
  if (Array.isArray(v) && v.every((x) => !Array.isArray(x))) return { ...(r.key === undefined ? {} : { key: r.key }), values: v };
  throw new InputError(file, undefined, `event ${r.completeIndex}: a sequential read returns the subkeys' values in read order (or [key values]), got ${show(v)}`);
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
