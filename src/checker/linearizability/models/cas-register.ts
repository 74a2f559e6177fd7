import type { Json } from '../../../history/event.js';
import type { Model } from '../model.js';
import { jsonKey, sameJson } from './json.js';
import { overwrittenRead } from './overwritten.js';
import { register } from './register.js';
import { relabeledZoneDecision } from './relabel.js';

/**
 * A register with compare-and-set: `cas [old new]` writes new only if the value is old.
 * An ok cas must have matched; a cas whose outcome is unknown either matched or had no
 * effect, which the search already covers by leaving it out.
 */
export const casRegister: Model<Json> = {
  ...register,
  name: 'cas-register',
  summary: 'a register with read, write v, cas [old new]',
  functions: ['read', 'write', 'cas'],
  step(state, op) {
    if (op.f !== 'cas') return register.step(state, op);
    const [expected, next] = op.input as [Json, Json];
    return sameJson(state, expected) ? next : undefined;
  },
  validate(op) {
    if (op.f === 'cas' && !(Array.isArray(op.input) && op.input.length === 2)) return 'a cas value must be [old, new]';
    return undefined;
  },
  traces(op) {
    if (op.f !== 'cas') return register.traces!(op);
    // A cas takes effect only on its old value, ok or not (an info cas that took effect saw it too).
    const [expected, next] = op.input as [Json, Json];
    return { writes: [jsonKey(next)], reads: [jsonKey(expected)] };
  },
  // Zones with cas chains: an ok cas reads its old value and writes its new one at once.
  decide: relabeledZoneDecision,
  overwritten(ops, init) {
    // Writes and cas's new values are the producers, ok reads and ok cas's old values the needs.
    return overwrittenRead(ops, jsonKey(init), casRegister.traces!);
  },
  key: jsonKey,
};
