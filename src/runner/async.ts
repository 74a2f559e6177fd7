/** Small promise plumbing for the run loop: timeouts, abortable sleeps, waiting for a change. */
import { errorText } from './outcome.js';

/** Node turns longer timer delays (and Infinity) into 1 ms: such a wait is "no timer" instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function timerFor(ms: number, fire: () => void): NodeJS.Timeout | undefined {
  return ms < MAX_TIMER_MS ? setTimeout(fire, Math.max(0, ms)) : undefined;
}

export interface Deadline {
  /** Aborts (with a TimeoutError) when the time is up. */
  readonly signal: AbortSignal;
  /** Settles like `p`, or rejects with the TimeoutError when the time is up first. */
  race<T>(p: Promise<T>): Promise<T>;
  dispose(): void;
}

/**
 * A timer that aborts `controller` after `ms`. `race` does not listen on the signal:
 * EventTarget listeners and AbortSignals cost microseconds each, which is most of the
 * runner's per-operation budget (hence also the reusable controller).
 */
export function deadline(ms: number, controller = new AbortController()): Deadline {
  let expire: (reason: unknown) => void = () => undefined;
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  expired.catch(() => undefined);
  const timer = timerFor(ms, () => {
    const reason = new DOMException(`timed out after ${ms} ms`, 'TimeoutError');
    controller.abort(reason);
    expire(reason);
  });
  return {
    signal: controller.signal,
    race: (p) => Promise.race([p, expired]),
    dispose: () => clearTimeout(timer),
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = timerFor(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Where waiting processes park: `wait` resolves after `delayMs` or at the next `notify`
 * (an operation completed, a process left), whichever is first.
 */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  wait(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = timerFor(delayMs, done);
      this.waiters.add(done);
    });
  }

  notify(): void {
    for (const done of [...this.waiters]) done();
  }
}

export type Bounded<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Runs `act` with a time bound, for the edges where a failure is recorded rather than
 * raised (faults, healing, teardown, closing clients): never throws; the error is
 * `timeout` or the error's text.
 */
export async function bounded<T>(ms: number, act: (signal: AbortSignal) => Promise<T>): Promise<Bounded<T>> {
  const timer = deadline(ms);
  try {
    return { ok: true, value: await timer.race(act(timer.signal)) };
  } catch (err) {
    return { ok: false, error: timer.signal.aborted ? 'timeout' : errorText(err) };
  } finally {
    timer.dispose();
  }
}
