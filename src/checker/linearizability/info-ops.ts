import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { AnyModel, ModelOp, TraceKey, Traces } from './model.js';

/**
 * An op as the search takes it. `by`, on an info op: a time by which it certainly took
 * effect (it then has a return entry there, like an ok op).
 */
export type CheckedOp = Operation & { by?: number };

export interface ResolvedInfo {
  ops: CheckedOp[];
  /** Info ops dropped: nothing could have seen their effect, so they may take effect last. */
  dropped: number;
  /** Info ops given a time by which they took effect: an ok op saw a value only they write. */
  bounded: number;
}

/**
 * Every info op (a client timeout) stays pending to the end of the history, and each
 * multiplies the search. With the model's `traces` (one partition's ops):
 *
 * - Dropped: an info op none of whose written values any op needs: no ok op read one,
 *   no cas (ok or info: one that took effect saw it) expects one. In any linearization,
 *   from that op to the next write of each location it wrote, nothing that took effect
 *   depended on that location (it would have needed the op's value), so taking the op
 *   out leaves a legal order; and an info op can always go last. Equal values written by
 *   other ops change nothing here: the test is on values, whoever wrote them.
 * - Bounded: an ok op O read a value that only this info op p writes, and the initial
 *   state does not hold: p took effect before O, so before O returned; every op called
 *   after that follows O and so p — the bound adds only orders already implied. Needs
 *   exact traces (`holds`) and every op traced (an untraced op might write it too).
 */
export function resolveInfoOps(model: AnyModel, init: Json | undefined, ops: readonly CheckedOp[]): ResolvedInfo {
  if (model.traces === undefined || !ops.some((o) => o.type === 'info')) return { ops: [...ops], dropped: 0, bounded: 0 };
  // Only values info ops write matter: the tables below hold those, not every value of
  // a million-op history.
  const infoTraces = new Map<number, Traces | undefined>();
  const interesting = new Set<TraceKey>();
  ops.forEach((o, i) => {
    if (o.type !== 'info') return;
    const t = model.traces!(toModelOp(o));
    infoTraces.set(i, t);
    if (t !== undefined) for (const w of t.writes) interesting.add(w);
  });
  const producers = new Map<TraceKey, number>();
  /** Values some op needs to take effect (an info cas's old value too). */
  const needed = new Set<TraceKey>();
  /** Per value read by an ok op: the earliest return of such a read. */
  const seenBy = new Map<TraceKey, number>();
  let allTraced = true;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const t = op.type === 'info' ? infoTraces.get(i) : model.traces(toModelOp(op));
    if (t === undefined) {
      allTraced = false;
      continue;
    }
    for (const w of t.writes) if (interesting.has(w)) producers.set(w, (producers.get(w) ?? 0) + 1);
    for (const r of t.reads) {
      if (!interesting.has(r)) continue;
      needed.add(r);
      if (op.type === 'ok' && !(seenBy.get(r)! <= op.ret)) seenBy.set(r, op.ret);
    }
  }
  const exact = model.holds !== undefined && allTraced;
  const initial = exact ? model.init(init) : undefined;
  const out: CheckedOp[] = [];
  let dropped = 0;
  let bounded = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const t = op.type === 'info' ? infoTraces.get(i) : undefined;
    // Already bounded (outside knowledge, check.ts `settled`): it took effect, it cannot go last.
    if (t === undefined || t.writes.length === 0 || op.by !== undefined) {
      out.push(op);
      continue;
    }
    if (!t.writes.some((w) => needed.has(w))) {
      dropped++;
      continue;
    }
    const by = exact ? boundOf(model, initial, t, producers, seenBy) : Infinity;
    if (by < Infinity && by >= op.call) {
      out.push({ ...op, by });
      bounded++;
    } else {
      out.push(op);
    }
  }
  return { ops: out, dropped, bounded };
}

/** The earliest return of an ok read of a value only this op writes (Infinity: none). */
function boundOf(model: AnyModel, initial: unknown, t: Traces, producers: ReadonlyMap<TraceKey, number>, seenBy: ReadonlyMap<TraceKey, number>): number {
  let by = Infinity;
  for (const w of t.writes) {
    const at = seenBy.get(w);
    if (at === undefined || at >= by || producers.get(w) !== 1 || model.holds!(initial, w)) continue;
    by = at;
  }
  return by;
}

/** What the model sees of a history op. */
export function toModelOp(op: Operation): ModelOp {
  const m: ModelOp = { f: op.f, input: op.input, output: op.output, known: op.type === 'ok' };
  if (op.key !== undefined) m.key = op.key;
  return m;
}
