import type { Json, Key } from '../../history/event.js';
import { FAIL, OK, READ_LIST, TYPE_NAMES, type TxnColumns, WRITE } from './columns.js';
import type { MicroOp } from './transactions.js';
import type { TxnRef } from './types.js';

/**
 * The checker's view of a columnar history: dense graph nodes for the transactions that may
 * have happened. `t` indexes the columns; `node[t]` is the transaction's node in the
 * dependency graph, or -1 for a failed one (it never happened, so nothing can depend on it).
 * Objects (names, refs, micro-ops as lists) are made only for what a result reports.
 */
export class TxnTable {
  readonly node: Int32Array;
  /** Inverse of `node`. */
  readonly txnOfNode: Int32Array;
  readonly committed: number;
  readonly failed: number;
  readonly indeterminate: number;
  /** Micro-op counts, to size tables before inference. */
  readonly writes: number;
  readonly reads: number;

  constructor(readonly cols: TxnColumns) {
    const n = cols.length;
    this.node = new Int32Array(n);
    let nodes = 0;
    let committed = 0;
    let failed = 0;
    for (let t = 0; t < n; t++) {
      const type = cols.type[t]!;
      if (type === FAIL) {
        this.node[t] = -1;
        failed++;
      } else {
        this.node[t] = nodes++;
        if (type === OK) committed++;
      }
    }
    this.txnOfNode = new Int32Array(nodes);
    for (let t = 0; t < n; t++) if (this.node[t]! >= 0) this.txnOfNode[this.node[t]!] = t;
    let writes = 0;
    for (let i = 0; i < cols.mopF.length; i++) if (cols.mopF[i] === WRITE) writes++;
    this.committed = committed;
    this.failed = failed;
    this.indeterminate = n - committed - failed;
    this.writes = writes;
    this.reads = cols.mopF.length - writes;
  }

  get length(): number {
    return this.cols.length;
  }

  isOk(t: number): boolean {
    return this.cols.type[t] === OK;
  }

  typeName(t: number): 'ok' | 'fail' | 'info' {
    return TYPE_NAMES[this.cols.type[t]!]!;
  }

  name(t: number): string {
    return `T${this.cols.id[t]}`;
  }

  key(kid: number): Key {
    return this.cols.keys[kid]!;
  }

  /** A micro-op's value as data. */
  mopValue(m: number): Json {
    const c = this.cols;
    return c.mopF[m] === READ_LIST ? c.values.jsonList(c.lists.codes(c.mopKey[m]!, c.mopVal[m]!)) : c.values.json(c.mopVal[m]!);
  }

  /** The transaction's micro-ops as the history recorded them (built on demand). */
  mops(t: number, writeF: string): MicroOp[] {
    const c = this.cols;
    const out: MicroOp[] = [];
    for (let m = c.mopStart[t]!, end = m + c.mopCount[t]!; m < end; m++) out.push([c.mopF[m] === WRITE ? writeF : 'r', this.key(c.mopKey[m]!), this.mopValue(m)]);
    return out;
  }

  ref(t: number): TxnRef {
    const c = this.cols;
    return {
      name: this.name(t),
      id: c.id[t]!,
      process: c.process[t]!,
      type: this.typeName(t),
      invokeIndex: c.invokeIndex[t]!,
      value: this.mops(t, this.writeF) as unknown as Json,
    };
  }

  get writeF(): string {
    return this.cols.workload === 'list-append' ? 'append' : 'w';
  }

  /** The history's operations as objects, for the inferences not yet columnar (rw-register). */
  opViews(): OpView[] {
    const c = this.cols;
    const out = new Array<OpView>(c.length);
    for (let t = 0; t < c.length; t++) {
      out[t] = { id: c.id[t]!, process: c.process[t]!, type: this.typeName(t), call: c.call[t]!, ret: c.ret[t]!, invokeIndex: c.invokeIndex[t]!, completeIndex: c.completeIndex[t]! };
    }
    return out;
  }
}

/** The fields of an Operation the txn checker uses. */
export interface OpView {
  id: number;
  process: number;
  type: 'ok' | 'fail' | 'info';
  call: number;
  ret: number;
  invokeIndex: number;
  completeIndex: number;
}
