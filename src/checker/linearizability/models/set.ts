import type { Json } from '../../../history/event.js';
import type { Model } from '../model.js';
import { canonical } from './json.js';
import { parseExactJson } from '../../../history/exact-json.js';

/** Elements as sorted canonical JSON text, so equal sets are equal arrays. */
type SetState = readonly string[];

/** A grow-only set: add x, read returns the whole set (in any order). */
export const set: Model<SetState> = {
  name: 'set',
  summary: 'a set: add x, read (returns every element)',
  functions: ['add', 'read'],
  init: (initial) => normalise(Array.isArray(initial) ? initial : []),
  step(state, op) {
    if (op.f === 'add') {
      const x = canonical(op.input);
      return state.includes(x) ? state : [...state, x].sort();
    }
    if (!op.known) return state;
    if (!Array.isArray(op.output)) return undefined;
    const seen = normalise(op.output);
    return seen.length === state.length && seen.every((x, i) => x === state[i]) ? state : undefined;
  },
  readOnly: (op) => op.f === 'read',
  key: (state) => state.join('\n'),
  show: (state) => state.map((x) => parseExactJson(x) as Json),
};

function normalise(values: readonly Json[]): SetState {
  return [...new Set(values.map(canonical))].sort();
}
