import type { Json } from '../../../src/history/event.js';
import type { Operation } from '../../../src/history/operation.js';
import type { AnyModel, ModelOp } from '../../../src/checker/linearizability/model.js';

/**
 * The definition, by brute force, for tiny histories: some set of the unknown-outcome
 * ops took effect, and some order of those plus every ok op respects real time
 * (a before b when a returned before b was called) and the model accepts it.
 * Nothing is pruned, memoised or partitioned.
 */
export function bruteForceLinearizable(model: AnyModel, init: Json | undefined, ops: readonly Operation[]): boolean {
  const done = ops.filter((o) => o.type === 'ok');
  const maybe = ops.filter((o) => o.type === 'info');
  for (let mask = 0; mask < 1 << maybe.length; mask++) {
    const chosen = [...done, ...maybe.filter((_, i) => (mask & (1 << i)) !== 0)];
    if (orderExists(model, chosen, new Set(), model.init(init))) return true;
  }
  return false;
}

function orderExists(model: AnyModel, chosen: readonly Operation[], placed: Set<Operation>, state: unknown): boolean {
  if (placed.size === chosen.length) return true;
  for (const o of chosen) {
    if (placed.has(o)) continue;
    // Every op that completed before o was called must already be placed.
    if (chosen.some((p) => !placed.has(p) && p !== o && p.type === 'ok' && p.ret < o.call)) continue;
    const m: ModelOp = { f: o.f, input: o.input, output: o.output, known: o.type === 'ok' };
    if (o.key !== undefined) m.key = o.key;
    const next = model.branches?.(state, m) ?? [model.step(state, m)];
    for (const s of next) {
      if (s === undefined) continue;
      placed.add(o);
      const ok = orderExists(model, chosen, placed, s);
      placed.delete(o);
      if (ok) return true;
    }
  }
  return false;
}
