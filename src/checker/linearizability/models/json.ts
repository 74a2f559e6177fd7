import type { Json } from '../../../history/event.js';
import { exactJsonText } from '../../../history/exact-json.js';

/** JSON text with object keys sorted, so equal values have equal text. */
export function canonical(v: Json): string {
  if (v === null || typeof v !== 'object') return exactJsonText(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${exactJsonText(k)}:${canonical(v[k]!)}`).join(',')}}`;
}

/** An interning key: numbers stay numbers (cheap to hash), everything else canonical text. */
export function jsonKey(v: Json): string | number {
  return typeof v === 'number' ? v : canonical(v);
}

export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonical(a) === canonical(b);
}
