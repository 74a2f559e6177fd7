import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { AnyModel, ModelOp } from './model.js';
import { jsonKey } from './models/json.js';

export interface ResolvedInfo {
  ops: Operation[];
  /** Info writes nobody could have observed: linearized last, so left out. */
  dropped: number;
  /** Info writes whose unique value was observed: they happened, before the first observer returned. */
  bounded: number;
}

/**
 * Info operations stay open to the end of the history and multiply the search; most of
 * them need not. For models that say what an op writes and what it shows it saw
 * (`writes`, `observes`), per partition:
 * - an info write of a value no read returned and no cas expected can be linearized after
 *   everything else (nothing between it and the next write could have seen it), so it is
 *   left out — the history is linearizable with it iff without it;
 * - an info write of a value only it writes (and not the initial one), seen by an ok op,
 *   certainly took effect before that op returned: it becomes an op that completed then.
 * Pure; the ops keep their ids and history indices, so explanations are unchanged.
 */
export function resolveInfoOps(model: AnyModel, ops: readonly Operation[], initial: Json): ResolvedInfo {
  const { writes, observes } = model;
  if (writes === undefined || observes === undefined || !ops.some((o) => o.type === 'info')) return { ops: [...ops], dropped: 0, bounded: 0 };
  const view = (o: Operation): ModelOp => ({ f: o.f, input: o.input, output: o.output, known: o.type === 'ok', ...(o.key === undefined ? {} : { key: o.key }) });
  // By value alone: a partition holds one key, and checked as one partition (--no-partition)
  // the register models treat every key as the same register.
  const slot = (v: Json): string => String(jsonKey(v));

  const writers = new Map<string, number>();
  const seenBy = new Map<string, number>();
  const seenAtAll = new Set<string>();
  for (const o of ops) {
    const m = view(o);
    const w = writes(m);
    if (w !== undefined) writers.set(slot(w.value), (writers.get(slot(w.value)) ?? 0) + 1);
    for (const v of observes(m)) {
      const s = slot(v);
      seenAtAll.add(s);
      // Only an op that certainly happened shows a write happened, and by its return.
      if (o.type === 'ok') seenBy.set(s, Math.min(seenBy.get(s) ?? Infinity, o.ret));
    }
  }
  const initialKey = String(jsonKey(initial));
  let dropped = 0;
  let bounded = 0;
  const out: Operation[] = [];
  for (const o of ops) {
    const w = o.type === 'info' ? writes(view(o)) : undefined;
    if (w === undefined) {
      out.push(o);
      continue;
    }
    const s = slot(w.value);
    if (!seenAtAll.has(s)) {
      dropped++;
      continue;
    }
    const by = seenBy.get(s);
    const unique = writers.get(s) === 1 && String(jsonKey(w.value)) !== initialKey;
    if (unique && by !== undefined && by > o.call) {
      bounded++;
      out.push({ ...o, type: 'ok', ret: by, output: o.input });
      continue;
    }
    out.push(o);
  }
  return { ops: out, dropped, bounded };
}
