import { InputError } from '../errors.js';
import { type HistoryEvent, type Json, type Key, NEMESIS } from './event.js';

/**
 * A client operation: an invocation paired with its completion. This is what checkers
 * consume; the raw events stay available through `invokeIndex` / `completeIndex`.
 */
export interface Operation {
  /** Dense id, in invocation order. */
  id: number;
  process: number;
  f: string;
  key?: Key;
  /** `ok`, `fail`, or `info` (which includes invocations that never completed). */
  type: 'ok' | 'fail' | 'info';
  /** The value given at invocation (e.g. the value to write, `[old, new]` for cas). */
  input: Json;
  /** The value at completion (e.g. what a read returned); `null` when not `ok`. */
  output: Json;
  /** Invocation time (ns). */
  call: number;
  /** Completion time (ns); `Infinity` for an invocation that never completed. */
  ret: number;
  invokeIndex: number;
  /** Index of the completion event, or -1 when there was none. */
  completeIndex: number;
  node?: string;
  error?: string;
}

export interface PairedHistory {
  ops: Operation[];
  /** Nemesis events (fault start/stop), in order; they are not client operations. */
  nemesis: HistoryEvent[];
}

/**
 * Pairs each invocation with its process's next completion. Throws an InputError naming
 * the event when a process completes something it never invoked, or invokes twice
 * without completing (both mean the history was not recorded correctly).
 */
export function pairHistory(events: readonly HistoryEvent[], file = 'history'): PairedHistory {
  const ops: Operation[] = [];
  const nemesis: HistoryEvent[] = [];
  const pending = new Map<number, Operation>();
  for (const e of events) {
    if (e.process === NEMESIS) {
      nemesis.push(e);
      continue;
    }
    if (e.type === 'invoke') {
      const open = pending.get(e.process);
      if (open !== undefined) {
        throw new InputError(
          file,
          undefined,
          `event ${e.index}: process ${e.process} invokes again while its operation from event ${open.invokeIndex} is still open`,
          'a process runs one operation at a time; an indeterminate one must complete as "info"',
        );
      }
      const op: Operation = {
        id: ops.length,
        process: e.process,
        f: e.f,
        type: 'info',
        input: e.value,
        output: null,
        call: e.time,
        ret: Infinity,
        invokeIndex: e.index,
        completeIndex: -1,
      };
      if (e.key !== undefined) op.key = e.key;
      if (e.node !== undefined) op.node = e.node;
      ops.push(op);
      pending.set(e.process, op);
      continue;
    }
    const op = pending.get(e.process);
    if (op === undefined) {
      throw new InputError(file, undefined, `event ${e.index}: process ${e.process} completes (${e.type}) an operation it never invoked`);
    }
    pending.delete(e.process);
    op.type = e.type;
    op.completeIndex = e.index;
    op.ret = e.time;
    if (e.type === 'ok') op.output = e.value;
    if (e.error !== undefined) op.error = e.error;
    if (op.key === undefined && e.key !== undefined) op.key = e.key;
    if (op.node === undefined && e.node !== undefined) op.node = e.node;
  }
  return { ops, nemesis };
}
