import type { Json, Key, ProcessId } from '../history/event.js';
import type { RandomStreams, Rng } from './random.js';

/** What a generator hands to a process: the operation to invoke (the runner adds time, process and node). */
export interface OpRequest {
  f: string;
  value: Json;
  key?: Key;
}

/** A client worker slot (0 … concurrency-1) or the nemesis. Survives process-id changes. */
export type Thread = number | 'nemesis';

/**
 * What a generator may look at when asked for an operation or told of a completion.
 * Read-only (generators never do I/O), and valid during that call only: the runner refills
 * one object for every question, so a generator that needs a field later copies the field.
 */
export interface GenContext {
  /** Milliseconds since the run started (monotonic). */
  readonly nowMs: number;
  /** The process asking. */
  readonly process: ProcessId;
  readonly thread: Thread;
  /** The current process id of each client worker slot (index = thread). */
  readonly workers: readonly number[];
  /** Operations in flight right now (clients and nemesis). The asking process has none. */
  readonly busy: number;
  /** The stream this part of the generator draws from: `ops`, or `faults` under `nemesis(…)`. */
  readonly rng: Rng;
  readonly streams: RandomStreams;
  /** Keys of every operation invoked so far (for final reads of every key). */
  readonly keys: ReadonlySet<Key>;
}

/**
 * The answer to "what should this process do now?". `pending` means "nothing for you yet":
 * ask again at `untilMs`, or after something changes (an operation completes) when absent.
 * `exhausted` is final and holds for every process.
 */
export type Answer =
  | { readonly type: 'op'; readonly op: OpRequest }
  | { readonly type: 'pending'; readonly untilMs?: number }
  | { readonly type: 'exhausted' };

/** An operation's completion, told to the generator tree (a lock workload releases what it acquired). */
export interface Completion {
  readonly process: ProcessId;
  readonly thread: Thread;
  readonly type: 'ok' | 'fail' | 'info';
  readonly op: OpRequest;
  /** The completion's value (`null` unless ok). */
  readonly value: Json;
  readonly error?: string;
}

/** One run's mutable state of a generator. */
export interface GenInstance {
  next(ctx: GenContext): Answer;
  update?(completion: Completion, ctx: GenContext): void;
}

/**
 * A generator is a description: a value that can be started any number of times, each
 * start giving fresh state. Build them with the combinators; `start()` is the runner's job.
 */
export interface Generator {
  start(): GenInstance;
}

export const EXHAUSTED: Answer = Object.freeze({ type: 'exhausted' });
export const PENDING: Answer = Object.freeze({ type: 'pending' });

export function emit(op: OpRequest): Answer {
  return { type: 'op', op };
}

export function pendingUntil(untilMs: number | undefined): Answer {
  return untilMs === undefined ? PENDING : { type: 'pending', untilMs };
}

/** The earlier of two wake-up times (`undefined` = "when something changes"). */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** Defines a generator from a factory of fresh instances. */
export function generator(start: () => GenInstance): Generator {
  return { start };
}
