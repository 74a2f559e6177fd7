import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import { canonical } from '../linearizability/models/json.js';
import { exactJsonText } from '../../history/exact-json.js';

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

/** A read's elements (a non-list output reads as empty, and is reported by the caller's shape check). */
export function readElements(op: Operation): Json[] {
  return Array.isArray(op.output) ? op.output : [];
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
