import { UsageError } from '../../../errors.js';
import type { AnyModel } from '../model.js';
import { casRegister } from './cas-register.js';
import { fifoQueue } from './fifo-queue.js';
import { kv } from './kv.js';
import { multiRegister } from './multi-register.js';
import { mutex } from './mutex.js';
import { register } from './register.js';
import { set } from './set.js';
import { unorderedQueue } from './unordered-queue.js';

/** Every model by its (Knossos) name. Adding a model: one file, one line here. */
export const MODELS: ReadonlyMap<string, AnyModel> = new Map<string, AnyModel>(
  [register, casRegister, mutex, set, fifoQueue, unorderedQueue, multiRegister, kv].map((m) => [m.name, m]),
);

export function getModel(name: string): AnyModel {
  const model = MODELS.get(name);
  if (model === undefined) {
    throw new UsageError(`unknown model "${name}"`, `models: ${[...MODELS.keys()].join(', ')}`);
  }
  return model;
}
