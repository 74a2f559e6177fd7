import { InputError } from '../../errors.js';
import type { Key } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { AnyModel, ModelOp } from './model.js';

export interface Pruned {
  ops: Operation[];
  failed: number;
  unknownReads: number;
  /** Ok reads of nil taken as "value unknown" (Knossos's reading), dropped or cut out of their op. */
  nilReads: number;
}

/** How an ok read of nil is read: the register held nothing (`absent`), or its value is unknown (`any`, as Knossos). */
export type NilReads = 'absent' | 'any';

/**
 * Drops what constrains nothing: failed ops (they did not happen) and ops whose outcome
 * is unknown and that cannot change the state (a timed-out read). Rejects ops the model
 * does not know, naming the event.
 */
export function prune(model: AnyModel, ops: readonly Operation[], file: string, nilReads: NilReads = 'absent'): Pruned {
  const kept: Operation[] = [];
  let failed = 0;
  let unknownReads = 0;
  let nil = 0;
  const known = new Set(model.functions);
  for (const op of ops) {
    if (op.type === 'fail') {
      failed++;
      continue;
    }
    if (!known.has(op.f)) {
      throw new InputError(
        file,
        undefined,
        `event ${op.invokeIndex}: "${op.f}" is not an operation of the ${model.name} model (it knows ${model.functions.join(', ')})`,
        'pick the model that matches the workload with --model',
      );
    }
    const m: ModelOp = { f: op.f, input: op.input, output: op.output, known: op.type === 'ok' };
    if (op.key !== undefined) m.key = op.key;
    const problem = model.validate?.(m);
    if (problem !== undefined) throw new InputError(file, undefined, `event ${op.invokeIndex}: ${problem}`, `see docs/linearizability.md for the ${model.name} model`);
    if (op.type === 'info' && model.readOnly(m)) {
      unknownReads++;
      continue;
    }
    if (nilReads === 'any' && op.type === 'ok' && model.withoutNilReads !== undefined) {
      const known = model.withoutNilReads(m);
      if (known !== m) nil++;
      if (known === null) continue;
      if (known !== m) {
        kept.push({ ...op, input: known.input, output: known.output });
        continue;
      }
    }
    kept.push(op);
  }
  return { ops: kept, failed, unknownReads, nilReads: nil };
}

/**
 * P-compositionality: when every op names a key, each key's sub-history is checked on
 * its own (a history is linearizable iff every key's is). Otherwise one partition.
 */
export function partitionByKey(ops: readonly Operation[], enabled: boolean): Map<Key | null, Operation[]> {
  const parts = new Map<Key | null, Operation[]>();
  if (!enabled || ops.length === 0 || ops.some((o) => o.key === undefined)) {
    parts.set(null, [...ops]);
    return parts;
  }
  for (const op of ops) {
    const key = op.key!;
    let group = parts.get(key);
    if (group === undefined) parts.set(key, (group = []));
    group.push(op);
  }
  return parts;
}
