import type { Json } from '../../../history/event.js';
import type { Model, ModelOp } from '../model.js';
import { canonical, sameJson } from './json.js';
import { exactJsonText, parseExactJson } from '../../../history/exact-json.js';

type Registers = Readonly<Record<string, Json>>;
type MicroOp = [string, string | number, Json];

/**
 * Several registers read and written together: `txn` with a list of micro-ops
 * `[read|r, key, value]` / `[write|w, key, value]`. An ok transaction's reads must see
 * the current values (absent reads as null); an unknown one's reads constrain nothing.
 */
export const multiRegister: Model<Registers> = {
  name: 'multi-register',
  summary: 'registers touched together: txn [[read k v] [write k v] ...]',
  functions: ['txn', 'read', 'write'],
  init: (initial) => (initial !== null && typeof initial === 'object' && !Array.isArray(initial) ? initial : {}),
  step(state, op) {
    let next: Record<string, Json> | undefined;
    for (const [f, k, v] of microOps(op)) {
      const key = String(k);
      if (isRead(f)) {
        if (op.known && !sameJson(v, (next ?? state)[key] ?? null)) return undefined;
      } else {
        next ??= { ...state };
        next[key] = v;
      }
    }
    return next ?? state;
  },
  validate(op) {
    const mops = op.known && Array.isArray(op.output) ? op.output : op.input;
    if (!Array.isArray(mops)) return 'a multi-register value must be a list of [f, key, value] micro-ops';
    for (const m of mops) {
      if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || !(isRead(m[0]) || isWrite(m[0]))) {
        return `expected a micro-op [read|write, key, value], found ${exactJsonText(m)}`;
      }
      if (typeof m[1] !== 'string' && typeof m[1] !== 'number') return `a micro-op key must be a string or number, found ${exactJsonText(m[1])}`;
    }
    return undefined;
  },
  readOnly: (op) => microOps(op).every(([f]) => isRead(f)),
  withoutNilReads(op) {
    const mops = microOps(op);
    const kept = mops.filter(([f, , v]) => !(isRead(f) && v === null));
    return kept.length === mops.length ? op : kept.length === 0 ? null : { ...op, output: kept };
  },
  // A traced value is one register holding one value: canonical [key, value].
  traces(op) {
    const writes: string[] = [];
    const reads: string[] = [];
    for (const [f, k, v] of microOps(op)) {
      if (isWrite(f)) writes.push(canonical([String(k), v]));
      else if (op.known) reads.push(canonical([String(k), v]));
    }
    return { writes, reads };
  },
  holds(state, value) {
    const [k, v] = parseExactJson(String(value)) as [string, Json];
    return sameJson(state[k] ?? null, v);
  },
  key: (state) => canonical(state as Json),
  show: (state) => state as Json,
};

/** The completed value carries the reads' results; fall back to the invocation's. */
function microOps(op: ModelOp): MicroOp[] {
  return (op.known && Array.isArray(op.output) ? op.output : op.input) as MicroOp[];
}

const isRead = (f: string): boolean => f === 'read' || f === 'r';
const isWrite = (f: string): boolean => f === 'write' || f === 'w';
