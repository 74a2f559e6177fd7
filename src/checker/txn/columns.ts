import { InputError } from '../../errors.js';
import type { Json, Key } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import type { Operation } from '../../history/operation.js';
import { IntList } from './int-tables.js';
import { KeyTable } from './transactions.js';
import type { TxnWorkload } from './types.js';
import { ReadLists, ValueTable } from './values.js';

/**
 * A transactional history as columns: one typed-array slot per transaction and per micro-op
 * instead of an object each (a 10M-transaction history as objects does not fit in a 4 GiB
 * heap; as columns it is a few hundred MiB). Transactions are in invocation order, as
 * `pairHistory` lists operations; each one's micro-ops are contiguous (`mopStart`, `mopCount`).
 */
export interface TxnColumns {
  workload: TxnWorkload;
  length: number;
  /** The operation's id (dense over all client operations, invocation order). */
  id: Int32Array;
  process: Int32Array;
  /** OK, FAIL or INFO. */
  type: Uint8Array;
  invokeIndex: Int32Array;
  completeIndex: Int32Array;
  call: Float64Array;
  ret: Float64Array;
  mopStart: Int32Array;
  mopCount: Int32Array;
  /** WRITE (`append`/`w`), READ (value code in mopVal) or READ_LIST (list handle in mopVal). */
  mopF: Uint8Array;
  mopKey: Int32Array;
  mopVal: Int32Array;
  keys: Key[];
  values: ValueTable;
  lists: ReadLists;
}

export const OK = 0;
export const FAIL = 1;
export const INFO = 2;
export const TYPE_NAMES = ['ok', 'fail', 'info'] as const;
export const WRITE = 0;
export const READ = 1;
export const READ_LIST = 2;

const WRITE_F: Record<TxnWorkload, string> = { 'list-append': 'append', 'rw-register': 'w' };

class F64List {
  data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
}

class U8List {
  data = new Uint8Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
}

/**
 * Builds TxnColumns one transaction at a time: `invoke` reserves its slot (invocation order),
 * `complete` records its outcome and micro-ops, which may come later and out of order (the
 * CLI and the benchmark stream events; `fromOperations` has them at once).
 */
export class TxnColumnsBuilder {
  private readonly id = new IntList();
  private readonly process = new IntList();
  private readonly type = new U8List();
  private readonly invokeIndex = new IntList();
  private readonly completeIndex = new IntList();
  private readonly call = new F64List();
  private readonly ret = new F64List();
  private readonly mopStart = new IntList();
  private readonly mopCount = new IntList();
  private readonly mopF = new U8List();
  private readonly mopKey = new IntList();
  private readonly mopVal = new IntList();
  private readonly keyTable = new KeyTable();
  private readonly values = new ValueTable();
  private readonly lists = new ReadLists();
  private readonly writeF: string;

  constructor(
    private readonly workload: TxnWorkload,
    private readonly file = 'history',
  ) {
    this.writeF = WRITE_F[workload];
  }

  /** Reserves a transaction's slot; returns its index. */
  invoke(id: number, process: number, invokeIndex: number, call: number): number {
    this.id.push(id);
    this.process.push(process);
    this.type.push(INFO);
    this.invokeIndex.push(invokeIndex);
    this.completeIndex.push(-1);
    this.call.push(call);
    this.ret.push(Infinity);
    this.mopStart.push(0);
    return this.mopCount.push(0);
  }

  /**
   * The transaction's outcome and its micro-ops: as completed for `ok`, else as invoked
   * (`value` is what the checker reads: the output of an ok op when it is a list, else the input).
   */
  complete(t: number, type: number, completeIndex: number, ret: number, value: Json): void {
    this.type.data[t] = type;
    this.completeIndex.data[t] = completeIndex;
    this.ret.data[t] = ret;
    if (!Array.isArray(value)) this.bad(t, 'its value is not a list of micro-ops');
    const mops = value as Json[];
    this.mopStart.data[t] = this.mopF.length;
    this.mopCount.data[t] = mops.length;
    for (let j = 0; j < mops.length; j++) {
      const m = mops[j];
      if (!Array.isArray(m) || m.length !== 3) this.bad(t, `micro-op ${j} is not a 3-element list`);
      const [f, k, v] = m as [Json, Json, Json];
      const write = f === this.writeF;
      if (!write && f !== 'r') this.bad(t, `micro-op ${j} has unknown function ${exactJsonText(f)}`);
      if (typeof k !== 'string' && typeof k !== 'number') this.bad(t, `micro-op ${j} has a key that is not a string or number`);
      const kid = this.keyTable.id(k as Key);
      this.mopKey.push(kid);
      if (!write && this.workload === 'list-append' && Array.isArray(v)) {
        this.mopF.push(READ_LIST);
        this.mopVal.push(this.lists.add(kid, v, this.values));
      } else {
        this.mopF.push(write ? WRITE : READ);
        this.mopVal.push(this.values.code(v));
      }
    }
  }

  /** One whole operation, as `pairHistory` gives it. */
  addOperation(op: Operation): void {
    const t = this.invoke(op.id, op.process, op.invokeIndex, op.call);
    const type = op.type === 'ok' ? OK : op.type === 'fail' ? FAIL : INFO;
    this.complete(t, type, op.completeIndex, op.ret, op.type === 'ok' && Array.isArray(op.output) ? op.output : op.input);
  }

  /** Transactions that never completed keep their invocation's micro-ops: call `complete(t, INFO, -1, Infinity, input)`. */
  build(): TxnColumns {
    const n = this.id.length;
    const m = this.mopF.length;
    return {
      workload: this.workload,
      length: n,
      id: this.id.data.subarray(0, n),
      process: this.process.data.subarray(0, n),
      type: this.type.data.subarray(0, n),
      invokeIndex: this.invokeIndex.data.subarray(0, n),
      completeIndex: this.completeIndex.data.subarray(0, n),
      call: this.call.data.subarray(0, n),
      ret: this.ret.data.subarray(0, n),
      mopStart: this.mopStart.data.subarray(0, n),
      mopCount: this.mopCount.data.subarray(0, n),
      mopF: this.mopF.data.subarray(0, m),
      mopKey: this.mopKey.data.subarray(0, m),
      mopVal: this.mopVal.data.subarray(0, m),
      keys: this.keyTable.keys,
      values: this.values,
      lists: this.lists,
    };
  }

  private bad(t: number, what: string): never {
    throw new InputError(
      this.file,
      undefined,
      `transaction at event ${this.invokeIndex.data[t]} (process ${this.process.data[t]}): ${what}`,
      `a txn value is a list of micro-ops [f, key, value] with f one of ${this.writeF}, r`,
    );
  }
}

/** The `txn` operations of a paired history as columns. */
export function columnsOfOperations(ops: readonly Operation[], workload: TxnWorkload, file = 'history'): TxnColumns {
  const b = new TxnColumnsBuilder(workload, file);
  for (const op of ops) if (op.f === 'txn') b.addOperation(op);
  return b.build();
}
