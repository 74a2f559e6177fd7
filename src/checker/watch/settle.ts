import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import type { Operation } from '../../history/operation.js';
import { InputError } from '../../errors.js';

/** The operation name of a change-stream window in a register history (its value: a WatchWindow). */
export const STREAM_OP = 'stream';

export interface Settlement {
  /** Info writes a stream delivered: they took effect no later than the window that delivered them first returned. */
  happenedBy: Map<number, number>;
  /** Info writes a complete replay never delivered: they took no effect any op could see. */
  didNotHappen: Set<number>;
  counts: {
    /** Info ops that write (write, cas). */
    infoWrites: number;
    happened: number;
    didNotHappen: number;
    /** Values written by more than one op: events of those name no op, so they settle nothing. */
    ambiguousValues: number;
    /** Whether a complete replay (from revision 1, delivered through the newest revision, after every ok op) was found. */
    completeReplay: boolean;
  };
}

interface Window {
  from: number;
  events: { key: string; value: Json; revision: number }[];
  interrupted: boolean;
  through?: number;
}

/** The value a register op writes if it takes effect: a write's value, a cas's new value. */
function written(op: Operation): Json | undefined {
  if (op.f === 'write') return op.input;
  if (op.f === 'cas' && Array.isArray(op.input) && op.input.length === 2) return op.input[1] ?? null;
  return undefined;
}

const slot = (key: unknown, value: Json): string => `${String(key)}\u0000${exactJsonText(value)}`;

/**
 * What a change stream of the register keys tells about writes of unknown outcome, for the
 * linearizability checker (its `settled` option). Sound when the stream is truthful (the
 * watch checker judges that separately) and values are unique per key (a value written by
 * two ops settles neither):
 * - an info write whose (key, value) a window delivered took effect before that window
 *   returned: its effect is bounded there;
 * - a replay from revision 1, not interrupted, that delivered up to `through` (the newest
 *   mod revision under the keys when it began) showed every change made before it began.
 *   If it was invoked after every ok op (other than stream windows) had returned, an info
 *   write it never delivered took effect — if ever — after every op that saw anything: it
 *   can be linearized after them all and so left out (later info ops may be left out too).
 */
export function settleFromStream(ops: readonly Operation[], file = 'history'): Settlement {
  const writers = new Map<string, Operation[]>();
  for (const op of ops) {
    const v = written(op);
    if (v === undefined || op.key === undefined) continue;
    const k = slot(op.key, v);
    writers.set(k, [...(writers.get(k) ?? []), op]);
  }
  const ambiguousValues = [...writers.values()].filter((w) => w.length > 1).length;
  const infoWrites = ops.filter((o) => o.type === 'info' && written(o) !== undefined && o.key !== undefined);

  const happenedBy = new Map<number, number>();
  const windows = ops.filter((o) => o.f === STREAM_OP && o.type === 'ok').map((o) => ({ op: o, w: windowOf(o, file) }));
  const seen = new Set<string>();
  for (const { op, w } of windows) {
    for (const e of w.events) {
      const k = slot(e.key, e.value);
      seen.add(k);
      const who = writers.get(k);
      if (who?.length !== 1 || who[0]!.type !== 'info') continue;
      const p = who[0]!;
      happenedBy.set(p.id, Math.min(happenedBy.get(p.id) ?? Infinity, op.ret));
    }
  }

  const lastOk = ops.filter((o) => o.f !== STREAM_OP && o.type === 'ok').reduce((m, o) => Math.max(m, o.ret), -Infinity);
  const complete = windows.some(({ op, w }) => {
    const last = w.events.reduce((m, e) => Math.max(m, e.revision), 0);
    return w.from === 1 && !w.interrupted && w.through !== undefined && last >= w.through && op.call >= lastOk;
  });
  const didNotHappen = new Set<number>();
  if (complete) {
    for (const p of infoWrites) {
      const k = slot(p.key, written(p)!);
      if (writers.get(k)!.length === 1 && !seen.has(k)) didNotHappen.add(p.id);
    }
  }
  return {
    happenedBy,
    didNotHappen,
    counts: { infoWrites: infoWrites.length, happened: happenedBy.size, didNotHappen: didNotHappen.size, ambiguousValues, completeReplay: complete },
  };
}

/**
 * A stream window as the run recorded it. Anything else is refused: a window read as empty
 * would settle writes as "never delivered" on no evidence.
 */
function windowOf(op: Operation, file: string): Window {
  const bad = (what: string): never => {
    throw new InputError(file, undefined, `event ${op.completeIndex} (process ${op.process}): the stream window's value ${what}`, 'a window is {"from": N, "responses": [[{"key", "value", "revision"}, ...], ...], "interrupted": bool}');
  };
  const v = op.output;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad('is not an object');
  const o = v as { from?: unknown; responses?: unknown; interrupted?: unknown; through?: unknown };
  if (!Array.isArray(o.responses) || !o.responses.every(Array.isArray)) return bad('has no "responses" list of event lists');
  return {
    from: typeof o.from === 'number' ? o.from : 0,
    interrupted: o.interrupted === true,
    ...(typeof o.through === 'number' ? { through: o.through } : {}),
    events: (o.responses as unknown[][]).flatMap((r) =>
      r.map((e) => {
        if (e === null || typeof e !== 'object' || Array.isArray(e)) return bad(`holds an event that is not an object: ${exactJsonText(e as Json)}`);
        const x = e as { key?: unknown; value?: Json; revision?: unknown };
        if (typeof x.revision !== 'number' || !Number.isFinite(x.revision)) return bad(`holds an event without a numeric revision: ${exactJsonText(e as Json)}`);
        return { key: String(x.key), value: x.value ?? null, revision: x.revision };
      }),
    ),
  };
}
