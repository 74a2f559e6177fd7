import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';

/** How many elements a sentence lists before "…". */
export const SHOWN = 10;

/** The first few elements, exactly (integers past 2^53 included). */
export function sample(values: readonly Json[]): string {
  const shown = values.slice(0, SHOWN).map((v) => exactJsonText(v)).join(', ');
  return values.length > SHOWN ? `${shown}, …` : shown;
}

/** An element as a map key: equal values, equal keys. */
export function key(v: Json): string {
  return exactJsonText(v);
}
