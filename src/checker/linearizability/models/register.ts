import type { Json } from '../../../history/event.js';
import type { Model } from '../model.js';
import { jsonKey, sameJson } from './json.js';
import { overwrittenRead } from './overwritten.js';
import { relabeledZoneDecision } from './relabel.js';

/** One read/write register. Absent reads as null. */
export const register: Model<Json> = {
  name: 'register',
  summary: 'a single register: read (returns the value), write v',
  functions: ['read', 'write'],
  init: (initial) => initial ?? null,
  step(state, op) {
    if (op.f === 'write') return op.input;
    return !op.known || sameJson(op.output, state) ? state : undefined;
  },
  viability(ops) {
    // The ops that can set each value: writes, and a cas's new value.
    const producers = new Map<string | number, number[]>();
    ops.forEach((o, j) => {
      const value = o.f === 'write' ? o.input : o.f === 'cas' && Array.isArray(o.input) ? o.input[1] : undefined;
      if (value === undefined) return;
      const key = jsonKey(value);
      const list = producers.get(key);
      if (list === undefined) producers.set(key, [j]);
      else list.push(j);
    });
    return {
      satisfiable(state, i, isLinearized) {
        const read = ops[i]!;
        if (read.f !== 'read' || !read.known || sameJson(state, read.output)) return true;
        // Otherwise only an op still to come can set the value it read (latest first: most likely pending).
        const list = producers.get(jsonKey(read.output)) ?? [];
        for (let k = list.length - 1; k >= 0; k--) if (!isLinearized(list[k]!)) return true;
        return false;
      },
    };
  },
  readOnly: (op) => op.f === 'read',
  traces: (op) => (op.f === 'write' ? { writes: [jsonKey(op.input)], reads: [] } : { writes: [], reads: op.known ? [jsonKey(op.output)] : [] }),
  holds: (state, value) => jsonKey(state) === value,
  overwritten(ops, init) {
    return overwrittenRead(ops, jsonKey(init), register.traces!);
  },
  decide: relabeledZoneDecision,
  withoutNilReads: (op) => (op.f === 'read' && op.output === null ? null : op),
  key: jsonKey,
  show: (state) => state,
};
