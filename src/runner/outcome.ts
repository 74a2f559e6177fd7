import type { Json } from '../history/event.js';

/**
 * How a client operation ended. `ok`: it happened. `fail`: it certainly did not happen
 * (the system said so before doing anything). `info`: unknown — a timeout, a reset
 * connection, a crash. When in doubt, `info`: a wrong `fail` makes a correct system look
 * broken, a wrong `info` only costs the checker some time.
 */
export type Outcome =
  | { type: 'ok'; value: Json }
  | { type: 'fail'; error: string }
  | { type: 'info'; error: string };

/** Thrown by a client when the system certainly did not apply the operation (e.g. a CAS whose precondition failed). */
export class DefiniteFailure extends Error {
  constructor(
    /** Short, stable reason recorded in the history: `cas-mismatch`, `not-found`, `lock-held`. */
    readonly reason: string,
    message = reason,
  ) {
    // An expected outcome (a CAS that lost), thrown thousands of times a second: a stack
    // trace would say nothing and capturing one costs more than the rest of the operation.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'DefiniteFailure';
  }
}

/** A system adapter's knowledge of its client library's errors; `undefined` = "not mine, ask the next". */
export type ErrorClassifier = (err: unknown) => Exclude<Outcome, { type: 'ok' }> | undefined;

const MAX_ERROR_LENGTH = 200;

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * Turns a thrown error into an outcome: the adapters' classifiers first, then
 * `DefiniteFailure` → `fail`, aborts and timeouts → `info: timeout`, anything else → `info`.
 */
export function classifyError(err: unknown, classifiers: readonly ErrorClassifier[] = []): Exclude<Outcome, { type: 'ok' }> {
  for (const classify of classifiers) {
    const outcome = classify(err);
    if (outcome !== undefined) return outcome;
  }
  if (err instanceof DefiniteFailure) return { type: 'fail', error: err.reason };
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) return { type: 'info', error: 'timeout' };
  return { type: 'info', error: errorText(err) };
}
