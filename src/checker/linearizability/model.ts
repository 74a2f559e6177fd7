import type { Json, Key } from '../../history/event.js';

/** What a model sees of an operation. */
export interface ModelOp {
  f: string;
  /** The value given at invocation. */
  input: Json;
  /** The value at completion; meaningful only when `known`. */
  output: Json;
  /** True for `ok` operations; false for `info` ones, whose result nobody saw. */
  known: boolean;
  key?: Key;
}

/**
 * A sequential specification: a small pure object. States are immutable values; `key`
 * interns them (equal states must have equal keys, different states different keys), so
 * the search can remember (linearized set, state) pairs cheaply.
 */
export interface Model<S> {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly summary: string;
  /** The operation functions (`f`) this model accepts. */
  readonly functions: readonly string[];
  /** The initial state; `initial` is the user's `--init` value when given. */
  init(initial: Json | undefined): S;
  /** The state after `op`, or undefined when `op` cannot happen in `state`. */
  step(state: S, op: ModelOp): S | undefined;
  /**
   * For an operation whose effect the state does not determine (an `info` dequeue of an
   * unordered queue: which element went?), every possible next state. Return undefined
   * to use `step`.
   */
  branches?(state: S, op: ModelOp): S[] | undefined;
  /** Why `op` is malformed for this model (e.g. a cas without `[old, new]`), or undefined. */
  validate?(op: ModelOp): string | undefined;
  /**
   * Optional pruning, given all ops of a partition (positions are op numbers): a test
   * whether a read-only op with a known result can still be satisfied from a state by
   * some sequence of the ops not yet linearized. It must answer true when unsure; false
   * lets the search drop the whole branch (kv: a value only grows by appends, so unless
   * a put can still reset it, it must stay a prefix of every value still to be read).
   */
  viability?(ops: readonly ModelOp[]): Viability<S> | undefined;
  /** Info operations that cannot change the state constrain nothing: the search drops them. */
  readOnly(op: ModelOp): boolean;
  /**
   * Knossos's reading of a `nil` read: the value is unknown, it matches any state. Given
   * an ok op, the op without its nil reads: `null` when nothing is left (drop it), the op
   * itself when it has none. Models without reads of a value leave it out.
   */
  withoutNilReads?(op: ModelOp): ModelOp | null;
  /**
   * Optional, lets the checker settle `info` ops (outcome unknown) before searching
   * (see info-ops.ts): what an op's effect can be seen through. `writes`: the values it
   * may leave in the state if it takes effect; `reads`: every value it needs the state to
   * hold to take effect as recorded (an ok read: the value it returned; a cas, ok or
   * info: its old value; an info read-write transaction: nothing). A value is a key (string or
   * number) that names one observable thing, a register's value, key 3 holding "x"; for
   * inexact models (`holds` absent) equal keys may stand for different things, which
   * only keeps more ops. Undefined: the op's effect cannot be traced this way (an info
   * one is kept as it is). Sound only for models where a state's values are seen by
   * nothing but `reads` of them: registers, not locks or queues.
   */
  traces?(op: ModelOp): Traces | undefined;
  /**
   * With `traces`: whether `state` holds the traced value `value`. Given, traces are
   * exact (equal keys mean equal values) and observed info ops may be bounded in time.
   */
  holds?(state: S, value: TraceKey): boolean;
  /**
   * Optional fail-fast, before any search: the first op (in `ops`' order) that no
   * linearization can place whatever the order, because every op that could produce the
   * value it needs certainly took effect before another op certainly replaced that value
   * before it was called (a stale read). Must answer undefined when unsure.
   */
  overwritten?(ops: readonly TimedOp[], init: S): Overwritten | undefined;
  /**
   * Optional complete decision procedure for the partition, when the model has one for
   * this shape of history (the register with unique writes: Gibbons & Korach's zones,
   * polynomial however concurrent); undefined to search. Must be exact both ways.
   */
  decide?(ops: readonly TimedOp[], init: S): Decision | undefined;
  key(state: S): string | number;
  /**
   * Optional, for states whose key is costly to build (long strings): a cheap hash, with
   * `equals` deciding between states of equal hash. When given, the search uses these
   * instead of `key`.
   */
  hash?(state: S): number;
  equals?(a: S, b: S): boolean;
  /** The state as JSON, for explanations. */
  show(state: S): Json;
}

export type TraceKey = string | number;

/** An op with its interval: `ret` is when it certainly took effect (an info op: its `by`, or Infinity). */
export interface TimedOp extends ModelOp {
  call: number;
  ret: number;
}

/**
 * A decision without search. Invalid: op `blocked` cannot be placed because of op
 * `other`, `why` says so in words (values and times).
 */
export type Decision = { valid: true } | { valid: false; blocked: number; other: number; why: string };

/** `op` can never take effect as recorded: `by` certainly replaced the value it needs first. */
export interface Overwritten {
  op: number;
  by: number;
}

export interface Traces {
  writes: readonly TraceKey[];
  reads: readonly TraceKey[];
}

export interface Viability<S> {
  satisfiable(state: S, op: number, isLinearized: (op: number) => boolean): boolean;
}

/**
 * A model whose state type is hidden, as the registry and the search hold it (method
 * parameters are bivariant, so every `Model<S>` is one).
 */
export type AnyModel = Model<unknown>;
