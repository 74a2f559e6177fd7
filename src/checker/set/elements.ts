import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import { canonical } from '../linearizability/models/json.js';
import { exactJsonText } from '../../history/exact-json.js';
import { InputError } from '../../errors.js';

/** The operation names the set checker reads: adds, reads during the run, and the final read. */
export const SET_ADD = 'add';
export const SET_READ = 'read';
export const SET_FINAL_READ = 'final-read';

/** What the history says about one element's add (the first add of it, if several). */
export interface AddRecord {
  readonly element: Json;
  readonly op: Operation;
}

/** Elements are compared as canonical JSON, so `1` and `"1"` stay distinct and key order does not matter. */
export function elementKey(v: Json): string {
  return canonical(v);
}

/** Each element's first add, by element key. */
export function addsByElement(ops: readonly Operation[]): Map<string, AddRecord> {
  const adds = new Map<string, AddRecord>();
  for (const op of ops) {
    if (op.f !== SET_ADD) continue;
    const k = elementKey(op.input);
    if (!adds.has(k)) adds.set(k, { element: op.input, op });
  }
  return adds;
}

/** A read's elements (null, an absent set, reads as empty; requireSetReads refuses anything else that is not a list). */
export function readElements(op: Operation): Json[] {
  return Array.isArray(op.output) ? op.output : [];
}

/**
 * Every completed read of a set history returns a list (or set) of elements, or null for an
 * absent set. Anything else is not a set history: an InputError naming the event, never a
 * read taken as empty (which would make a final read of "x" vouch that nothing was added).
 */
export function requireSetReads(ops: readonly Operation[], file = 'history'): void {
  const bad = ops.find((o) => (o.f === SET_READ || o.f === SET_FINAL_READ) && o.type === 'ok' && o.output !== null && !Array.isArray(o.output));
  if (bad === undefined) return;
  const shown = exactJsonText(bad.output);
  throw new InputError(
    file,
    undefined,
    `event ${bad.completeIndex} (process ${bad.process}): a set ${bad.f} returns the list (or set) of elements, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`,
    'pick the --workload or --model that matches the history',
  );
}

/** Elements of `values` that occur more than once. */
export function duplicatesIn(values: readonly Json[]): Json[] {
  const seen = new Set<string>();
  const dup = new Map<string, Json>();
  for (const v of values) {
    const k = elementKey(v);
    if (seen.has(k)) dup.set(k, v);
    seen.add(k);
  }
  return [...dup.values()];
}

/** Up to `n` elements, sorted for a stable, readable report (numbers numerically). */
export function sample(values: readonly Json[], n = 20): Json[] {
  const sorted = [...values].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : elementKey(a).localeCompare(elementKey(b))));
  return sorted.slice(0, n);
}

/** "3 (1, 2, 7)" — a count and the first few, for explanations. */
export function countWithExamples(values: readonly Json[], n = 5): string {
  const shown = sample(values, n).map((v) => exactJsonText(v));
  return `${values.length} (${shown.join(', ')}${values.length > n ? ', …' : ''})`;
}
