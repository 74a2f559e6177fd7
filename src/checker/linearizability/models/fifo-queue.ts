import type { Json } from '../../../history/event.js';
import type { Model } from '../model.js';
import { canonical, sameJson } from './json.js';

/**
 * A FIFO queue: enqueue x; dequeue returns the head, or null when the queue is empty.
 * A dequeue whose result is unknown removes the head if there is one.
 */
export const fifoQueue: Model<readonly Json[]> = {
  name: 'fifo-queue',
  summary: 'a FIFO queue: enqueue x, dequeue (returns the head, null when empty)',
  functions: ['enqueue', 'dequeue'],
  init: (initial) => (Array.isArray(initial) ? initial : []),
  step(queue, op) {
    if (op.f === 'enqueue') return [...queue, op.input];
    if (queue.length === 0) return !op.known || op.output === null ? queue : undefined;
    return !op.known || sameJson(queue[0]!, op.output) ? queue.slice(1) : undefined;
  },
  readOnly: () => false,
  key: (queue) => canonical(queue as Json[]),
  show: (queue) => queue as Json[],
};
