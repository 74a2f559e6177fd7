import { InputError } from '../../errors.js';
import type { Json, Key } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { EdgeStore } from './graph.js';
import type { CandidateEdge, Constraint } from './polygraph.js';
import { IntList } from './int-tables.js';
import type { TxnAnomaly, TxnRef } from './types.js';
import { exactJsonText } from '../../history/exact-json.js';

/** A micro-op as recorded: `[f, key, value]`. */
export type MicroOp = readonly [string, Key, Json];

/**
 * The `txn` operations of a history as objects, with dense integer ids (long-fork reads
 * them so; the transactional checker uses the columnar TxnTable of table.ts). `node[t]` is
 * -1 for a failed transaction.
 */
export interface OpTable {
  ops: Operation[];
  /** Micro-ops as completed (`ok`) or as invoked (`fail`, `info`). */
  mops: MicroOp[][];
  node: Int32Array;
  /** Inverse of `node`. */
  txnOfNode: Int32Array;
  committed: number;
  failed: number;
  indeterminate: number;
  /** Micro-op counts, to size tables before inference. */
  writes: number;
  reads: number;
}

export function tableOf(all: readonly Operation[], allowed: ReadonlySet<string>, file = 'history'): OpTable {
  const ops = all.filter((o) => o.f === 'txn');
  const node = new Int32Array(ops.length);
  const txnOfNode = new IntList(ops.length + 1);
  const mops: MicroOp[][] = new Array<MicroOp[]>(ops.length);
  let total = 0;
  let committed = 0;
  let failed = 0;
  let reads = 0;
  for (let t = 0; t < ops.length; t++) {
    const op = ops[t]!;
    const value = op.type === 'ok' && Array.isArray(op.output) ? op.output : op.input;
    const ms = (mops[t] = checkMops(op, value, allowed, file));
    for (let j = 0; j < ms.length; j++) if (ms[j]![0] === 'r') reads++;
    total += ms.length;
    if (op.type === 'fail') {
      node[t] = -1;
      failed++;
    } else {
      node[t] = txnOfNode.length;
      txnOfNode.push(t);
      if (op.type === 'ok') committed++;
    }
  }
  return {
    ops,
    mops,
    node,
    txnOfNode: txnOfNode.data.subarray(0, txnOfNode.length),
    committed,
    failed,
    indeterminate: ops.length - committed - failed,
    writes: total - reads,
    reads,
  };
}

function checkMops(op: Operation, value: Json, allowed: ReadonlySet<string>, file: string): MicroOp[] {
  const bad = (what: string): never => {
    throw new InputError(
      file,
      undefined,
      `transaction at event ${op.invokeIndex} (process ${op.process}): ${what}`,
      `a txn value is a list of micro-ops [f, key, value] with f one of ${[...allowed].join(', ')}`,
    );
  };
  if (!Array.isArray(value)) return bad('its value is not a list of micro-ops');
  for (let j = 0; j < value.length; j++) {
    const m = value[j];
    if (!Array.isArray(m) || m.length !== 3) return bad(`micro-op ${j} is not a 3-element list`);
    const [f, k] = m;
    if (typeof f !== 'string' || !allowed.has(f)) return bad(`micro-op ${j} has unknown function ${exactJsonText(f)}`);
    if (typeof k !== 'string' && typeof k !== 'number') return bad(`micro-op ${j} has a key that is not a string or number`);
  }
  return value as unknown as MicroOp[];
}

export function txnName(op: Pick<Operation, 'id'>): string {
  return `T${op.id}`;
}

export function txnRef(op: Pick<Operation, 'id' | 'process' | 'type' | 'invokeIndex'>, value: Json): TxnRef {
  return { name: txnName(op), id: op.id, process: op.process, type: op.type, invokeIndex: op.invokeIndex, value };
}

/** Values in EDN-like notation, which is how Jepsen users read histories: `[1 2 3]`, `nil`. */
export function show(v: Json | undefined): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object') return exactJsonText(v);
  return String(v);
}

export function showMops(mops: readonly MicroOp[]): string {
  return mops.map((m) => `[${m[0]} ${show(m[1])} ${show(m[2])}]`).join(' ');
}

/** Counts every anomaly but builds explanations only for the first few of each type. */
export class AnomalyLog {
  readonly counts = new Map<string, number>();
  readonly kept: TxnAnomaly[] = [];

  constructor(private readonly maxPerType: number) {}

  add(type: string, make: () => Omit<TxnAnomaly, 'type'>): void {
    const n = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, n);
    if (n <= this.maxPerType) this.kept.push({ type, ...make() });
  }
}

/** Interns keys as dense integers; numbers and strings stay distinct keys. */
export class KeyTable {
  private readonly ids = new Map<Key, number>();
  readonly keys: Key[] = [];

  id(k: Key): number {
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(k, id);
      this.keys.push(k);
    }
    return id;
  }
}

/** A value usable as a Map key: primitives as they are, anything else by its JSON text. */
export function valueKey(v: Json): string | number | bigint | boolean | null {
  return typeof v === 'object' && v !== null ? exactJsonText(v) : v;
}

/** Values of one key equal as data (JSON), not as object identity. */
export function sameValue(a: Json, b: Json): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && valueKey(a) === valueKey(b));
}

/** What a workload's inference hands to the cycle search: the data edges, and how to explain one. */
export interface Inference {
  edges: EdgeStore;
  keys: number;
  /** Why data edge `e` holds, in words, and the key it is about. */
  explainEdge(e: number): { why: string; key: Key };
  /**
   * Indeterminate transactions known to have committed because a committed read saw one of
   * their writes, each with that evidence in words ("T0 (info, committed: …)").
   */
  committedInfo: Map<number, string>;
  /**
   * The write orders the reads leave open, as polygraph constraints, and how to explain their
   * edges. rw-register: one per pair of committed writes of a key, at least one of them read
   * (every pair under snapshot isolation); list-append: under snapshot isolation only, one per
   * pair of committed appenders of a key that no read saw (list-append-choices.ts).
   */
  versionChoices?: VersionChoices;
}

export interface VersionChoices {
  /**
   * Built on demand: only a search needs them. `everyPair`: unread pairs of writes too
   * (snapshot isolation needs them); `skip`: key ids left out (oversized ones).
   */
  constraints(everyPair: boolean, skip?: ReadonlySet<number>): Constraint[];
  /**
   * The key ids whose constraints would take the search past its size limit, most pairs
   * first (counted, not built), and the sentence for a verdict they leave `unknown`.
   */
  oversized?(everyPair: boolean): number[];
  tooManyPairs?(keys: string): string;
  keyName(kid: number): Key;
  /** Why a candidate edge holds if its alternative is the one chosen. */
  explainChoice(edge: CandidateEdge): { why: string; key: Key };
  /** The two orders a constraint chooses between, in words ("T1's x = 1 before T2's x = 2"). */
  describe(c: Constraint, alt: 0 | 1): string;
}

/** Lists shortened to their tail, which is what explanations are about. */
export function showList(v: readonly Json[], keep = 8): string {
  return v.length <= keep ? show(v as Json[]) : `[… ${v.slice(-keep).map(show).join(' ')}]`;
}
