import { InputError } from '../../errors.js';
import { type HistoryEvent, type Json, NEMESIS } from '../../history/event.js';
import { FAIL, INFO, OK, type TxnColumns, TxnColumnsBuilder } from './columns.js';
import type { TxnWorkload } from './types.js';

interface Open {
  /** Column slot, or -1 for an operation that is not a transaction. */
  t: number;
  input: Json;
  invokeIndex: number;
}

/**
 * Pairs history events straight into TxnColumns, as `pairHistory` pairs them into
 * operations (same ids, same errors), holding only each process's open invocation: the
 * events can be dropped as they are read, so a file's history never exists as objects.
 */
export class TxnEventColumns {
  private readonly builder: TxnColumnsBuilder;
  private readonly open = new Map<number, Open>();
  private ops = 0;

  constructor(
    workload: TxnWorkload,
    private readonly file = 'history',
  ) {
    this.builder = new TxnColumnsBuilder(workload, file);
  }

  add(e: HistoryEvent): void {
    if (e.process === NEMESIS) return;
    if (e.type === 'invoke') {
      const prior = this.open.get(e.process);
      if (prior !== undefined) {
        throw new InputError(
          this.file,
          undefined,
          `event ${e.index}: process ${e.process} invokes again while its operation from event ${prior.invokeIndex} is still open`,
          'a process runs one operation at a time; an indeterminate one must complete as "info"',
        );
      }
      const id = this.ops++;
      const t = e.f === 'txn' ? this.builder.invoke(id, e.process, e.index, e.time) : -1;
      this.open.set(e.process, { t, input: e.value, invokeIndex: e.index });
      return;
    }
    const op = this.open.get(e.process);
    if (op === undefined) {
      throw new InputError(this.file, undefined, `event ${e.index}: process ${e.process} completes (${e.type}) an operation it never invoked`);
    }
    this.open.delete(e.process);
    if (op.t < 0) return;
    const type = e.type === 'ok' ? OK : e.type === 'fail' ? FAIL : INFO;
    this.builder.complete(op.t, type, e.index, e.time, e.type === 'ok' && Array.isArray(e.value) ? e.value : op.input);
  }

  /** Invocations that never completed are indeterminate, with the micro-ops they were invoked with. */
  finish(): TxnColumns {
    for (const op of this.open.values()) if (op.t >= 0) this.builder.complete(op.t, INFO, -1, Infinity, op.input);
    this.open.clear();
    return this.builder.build();
  }
}
