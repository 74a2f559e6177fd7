import type { Model } from '../model.js';

/** A lock: acquire succeeds only when free, release only when held. */
export const mutex: Model<boolean> = {
  name: 'mutex',
  summary: 'a lock: acquire, release',
  functions: ['acquire', 'release'],
  init: (initial) => initial === true,
  step: (held, op) => (op.f === 'acquire' ? (held ? undefined : true) : held ? false : undefined),
  readOnly: () => false,
  key: (held) => (held ? 1 : 0),
  show: (held) => (held ? 'held' : 'free'),
};
