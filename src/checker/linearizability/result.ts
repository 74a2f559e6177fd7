import type { Json, Key } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { CheckedOp } from './info-ops.js';
import type { Verdict } from '../verdict.js';

/**
 * An operation as explanations show it: everything a report needs to draw it. As an
 * Operation, but JSON-safe: `ret` is null for an operation that never completed.
 */
export type OpView = Omit<Operation, 'ret' | 'node' | 'error'> & {
  ret: number | null;
  /** An info op's inferred deadline: an ok op read a value only it wrote, by this time (see info-ops.ts). */
  by?: number;
};

export interface Linearized {
  op: OpView;
  /** The model state right after this operation took effect. */
  state: Json;
}

export interface Candidate {
  op: OpView;
  /**
   * `rejected`: the model cannot take this operation from the state(s) met;
   * `dead-end`: it can, but every way of continuing from there fails.
   */
  outcome: 'rejected' | 'dead-end';
}

/**
 * Why a partition is not linearizable, at the deepest point the search reached: a
 * linearizable prefix, then `blocked` had to take effect before it returned and no
 * candidate could be placed next.
 */
export interface Explanation {
  /** Length of the longest linearizable prefix found. */
  prefixLength: number;
  /** Its last operations (at most 20), in linearization order. */
  prefix: Linearized[];
  /** The operation whose completion could not be reached. */
  blocked: OpView;
  /** The model state(s) met at that point (several when different orders reached it). */
  states: Json[];
  /** The operations that could have been placed next, and why each failed. */
  candidates: Candidate[];
  /** Operations whose intervals overlap the blocked one (at most 20). */
  concurrent: OpView[];
  /** Set when the blocked op is impossible whatever the order: no op of the history can lead to a state it accepts. */
  impossible?: true;
  /**
   * Set when the blocked op needs a value that this op certainly replaced before the
   * blocked op began: every op that could write that value had taken effect before this
   * one began, and this one completed before the blocked op began (a stale read).
   */
  overwrittenBy?: OpView;
  /**
   * Set when the model's decision procedure (no search; see Model.decide) found the
   * blocked op at odds with `with`; `why` says how, with values and times.
   */
  conflict?: { with: OpView; why: string };
}

export interface SearchStats {
  /** Search steps taken (configurations tried). */
  nodes: number;
  /** (linearized set, state) configurations remembered. */
  cacheEntries: number;
  /** Distinct model states met. */
  states: number;
  elapsedMs: number;
}

export interface PartitionResult {
  /** The key of this independent sub-history; null when the history was not split. */
  key: Key | null;
  verdict: Verdict;
  /** Operations checked (after dropping failed ones and unknown reads). */
  ops: number;
  /** Why the verdict is unknown. */
  reason?: string;
  explanation?: Explanation;
  /** The explanation in one sentence a person can check against the history (see sentence.ts). */
  sentence?: string;
  stats: SearchStats;
}

export interface LinearizabilityResult {
  verdict: Verdict;
  model: string;
  /** The initial state given with --init, or null for the model's default. */
  init: Json;
  /** Invalid partitions first, then unknown, then valid. */
  partitions: PartitionResult[];
  reason?: string;
  stats: {
    /** Client operations in the history. */
    ops: number;
    /** Dropped because they certainly did not happen. */
    failed: number;
    /** Dropped: unknown outcome and they could not change the state (e.g. a timed-out read). */
    unknownReads: number;
    /** Ok reads of nil taken as "value unknown" (`nilReads: 'any'`, Knossos's reading). */
    nilReads: number;
    /** Info ops dropped before searching: no ok op read a value they wrote, so they may take effect last. */
    infoDropped: number;
    /** Info ops given a time by which they took effect: an ok op read a value only they wrote. */
    infoBounded: number;
    /** With outside knowledge (`settled`): info ops bounded by it, and info ops it showed did not happen (removed). */
    infoSettledHappened?: number;
    infoSettledNot?: number;
    partitions: number;
    /** Worker threads used (0: checked in this thread). */
    workers: number;
    nodes: number;
    cacheEntries: number;
    elapsedMs: number;
  };
}

export function opView(op: CheckedOp): OpView {
  const view: OpView = {
    id: op.id,
    process: op.process,
    f: op.f,
    type: op.type,
    input: op.input,
    output: op.output,
    call: op.call,
    ret: Number.isFinite(op.ret) ? op.ret : null,
    invokeIndex: op.invokeIndex,
    completeIndex: op.completeIndex,
  };
  if (op.key !== undefined) view.key = op.key;
  if (op.by !== undefined) view.by = op.by;
  return view;
}
