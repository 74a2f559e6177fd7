import type { Json, Key } from '../../history/event.js';
import type { Verdict } from '../verdict.js';
import type { ConsistencyModel } from './models.js';

export type TxnWorkload = 'list-append' | 'rw-register';
export const TXN_WORKLOADS: readonly TxnWorkload[] = ['list-append', 'rw-register'];

export interface TxnCheckOptions {
  workload: TxnWorkload;
  consistency: ConsistencyModel;
  /** Wall-clock budget for the whole check; when it runs out the verdict is `unknown` unless an anomaly already decided it. */
  timeLimitMs?: number;
  /** Add per-process order edges even if the model does not need them (their anomalies get a `-process` suffix). */
  processOrder?: boolean;
  /** Add real-time order edges even if the model does not need them (their anomalies get a `-realtime` suffix). */
  realtime?: boolean;
  /**
   * rw-register: the user asserts each key is linearizable (Elle's `--linearizable-keys`):
   * a write whose transaction completed before another's was invoked is the earlier version,
   * whatever the consistency model — version-order (data) edges, not real-time ones.
   */
  linearizableKeys?: boolean;
  /** rw-register: each key is sequential (Elle's `--sequential-keys`): one process's writes of a key are in version order. */
  sequentialKeys?: boolean;
  /**
   * rw-register: writes follow reads on each key (Elle's `--wfr-keys`): a committed
   * transaction that read v of a key and then wrote it put its write after v. Every model but
   * read-uncommitted implies it (a read sees only committed versions); this asserts it there too.
   */
  wfrKeys?: boolean;
  /**
   * rw-register: the database's commit order (Elle's `:transaction-order`): the index of a
   * transaction's completion event in the history → its position. Each key's committed
   * versions are in that order; transactions it leaves out are ordered by the other inferences.
   */
  transactionOrder?: ReadonlyMap<number, number>;
  /**
   * rw-register: decide the write orders the inferences leave open by a polygraph search
   * (default true). Off, those orders are simply not known: the pre-search behaviour, which
   * can miss anomalies (it only compares against the benchmark).
   */
  versionSearch?: boolean;
  /** The history's file name, for error messages about malformed micro-ops. */
  file?: string;
  /** At most this many anomalies of each type keep an explanation (all are counted). Default 8. */
  maxReportedPerType?: number;
}

/** A transaction as shown in a result: enough to find it in the history file. */
export interface TxnRef {
  /** `T<id>`: the operation's dense id (invocation order). */
  name: string;
  id: number;
  process: number;
  type: 'ok' | 'fail' | 'info';
  /** Index of the invocation event in the history. */
  invokeIndex: number;
  /** The micro-ops as completed (`ok`) or as invoked (`fail`, `info`). */
  value: Json;
}

export type EdgeKindName = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

export interface CycleStep {
  from: string;
  to: string;
  kind: EdgeKindName;
  key?: Key;
  /** Why this edge holds, in words ("T2 read key 7 = [1 2] without 3, which T1 appended ⇒ T2 rw→ T1"). */
  why: string;
}

export interface TxnAnomaly {
  /** Elle's name: `G0`, `G1a`, `G-single-item-realtime`, `lost-update`, … */
  type: string;
  /** The transactions involved; for a cycle, in cycle order. */
  txns: TxnRef[];
  /** For cycles: each edge, from `txns[i]` to `txns[(i + 1) % n]`. */
  steps?: CycleStep[];
  key?: Key;
  /** One or more lines a person can check against the history. */
  explanation: string;
}

export interface TxnCheckStats {
  transactions: number;
  committed: number;
  failed: number;
  indeterminate: number;
  /** Indeterminate transactions inferred committed: a committed read saw one of their writes. */
  inferredCommitted: number;
  keys: number;
  edges: { ww: number; wr: number; rw: number; process: number; realtime: number };
  /** Strongly connected components with more than one transaction, over all edges searched. */
  cyclicComponents: number;
  largestComponent: number;
  /**
   * rw-register, when the model forbids every cycle and the reads left write orders open:
   * the polygraph search's open write pairs, those inside a cyclic component, its branches.
   */
  polygraph?: { openPairs: number; searchedPairs: number; branches: number; elapsedMs: number };
  elapsedMs: number;
}

export interface TxnCheckResult {
  verdict: Verdict;
  workload: TxnWorkload;
  consistency: ConsistencyModel;
  /** Every anomaly type found, sorted. */
  anomalyTypes: string[];
  /** How many of each type were found (explanations are kept for the first few only). */
  anomalyCounts: Record<string, number>;
  anomalies: TxnAnomaly[];
  /** The models this history rules out, weakest first. */
  notModels: ConsistencyModel[];
  /**
   * How rw-register's version order was inferred: `reads` (nil first, what each read names),
   * then `wfr` (implied by the model) or `wfr-keys` (asserted), `realtime` or
   * `linearizable-keys`, `process` or `sequential-keys`, `transaction-order`, and `polygraph` when
   * a search decided the orders these left open. List-append: `reads`.
   */
  versionOrder: string[];
  /** Why the verdict is `unknown`. */
  reason?: string;
  stats: TxnCheckStats;
}
