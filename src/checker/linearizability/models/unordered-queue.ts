import type { Json } from '../../../history/event.js';
import type { Model } from '../model.js';
import { canonical } from './json.js';
import { parseExactJson } from '../../../history/exact-json.js';

/** The queue's contents as a sorted multiset of canonical JSON text. */
type Bag = readonly string[];

/**
 * A queue without order: enqueue x; dequeue returns any element, or null when empty.
 * A dequeue whose result is unknown may have taken any element: one branch per element.
 */
export const unorderedQueue: Model<Bag> = {
  name: 'unordered-queue',
  summary: 'a queue without order: enqueue x, dequeue (any element, null when empty)',
  functions: ['enqueue', 'dequeue'],
  init: (initial) => (Array.isArray(initial) ? initial.map(canonical).sort() : []),
  step(bag, op) {
    if (op.f === 'enqueue') return insert(bag, canonical(op.input));
    if (!op.known) return bag.length === 0 ? bag : undefined;
    if (op.output === null) return bag.length === 0 ? bag : undefined;
    const i = bag.indexOf(canonical(op.output));
    return i < 0 ? undefined : [...bag.slice(0, i), ...bag.slice(i + 1)];
  },
  branches(bag, op) {
    if (op.f !== 'dequeue' || op.known || bag.length === 0) return undefined;
    const out: Bag[] = [];
    for (let i = 0; i < bag.length; i++) {
      if (i > 0 && bag[i] === bag[i - 1]) continue;
      out.push([...bag.slice(0, i), ...bag.slice(i + 1)]);
    }
    return out;
  },
  readOnly: () => false,
  key: (bag) => bag.join('\n'),
  show: (bag) => bag.map((x) => parseExactJson(x) as Json),
};

function insert(bag: Bag, x: string): Bag {
  let i = 0;
  while (i < bag.length && bag[i]! < x) i++;
  return [...bag.slice(0, i), x, ...bag.slice(i)];
}
