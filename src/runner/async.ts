/** Small promise plumbing for the run loop: timeouts, abortable sleeps, waiting for a change. */
import { type Outcome, errorText } from './outcome.js';

/** An operation that ran out of time: its outcome is unknown. */
export const TIMED_OUT: Outcome = Object.freeze({ type: 'info', error: 'timeout' });

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
 * A timer of its own that aborts `controller` after `ms`, for the occasional bounded step
 * (nemesis setup, healing, closing a client); client operations use CoarseDeadlines.
 * `race` does not listen on the signal: EventTarget listeners cost microseconds each.
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

/**
 * Per-operation time bounds for the run loop at a cost of a few field writes per operation:
 * one interval timer per run scans the workers' slots (one each, reused for every
 * operation) instead of a `setTimeout`, an AbortController and a `Promise.race` per
 * operation. An operation times out at its deadline or up to `granularityMs` after it,
 * never before; the timer runs only while some slot is armed.
 */
export class CoarseDeadlines {
  private readonly slots: DeadlineSlot[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly granularityMs: number) {}

  /** A slot for one worker: it bounds that worker's operations, one at a time. */
  slot(): DeadlineSlot {
    const slot = new DeadlineSlot(this);
    this.slots.push(slot);
    return slot;
  }

  /** Called by a slot when armed: makes sure the scan runs. */
  wake(): void {
    this.timer ??= setInterval(() => this.scan(), this.granularityMs);
  }

  /** Expires every slot whose deadline has passed; stops the timer once nothing is armed. */
  scan(now = performance.now()): void {
    let armed = false;
    for (const slot of this.slots) {
      if (slot.deadlineAt <= now) slot.expire();
      else if (slot.deadlineAt !== Infinity) armed = true;
    }
    if (!armed) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * One worker's bound on its current operation. Its AbortController is reused from one
 * operation to the next until it fires (a fired one retires the process anyway): creating
 * and listening to AbortSignals costs microseconds each, most of a per-operation budget.
 */
export class DeadlineSlot {
  /** `performance.now()` time the armed operation expires at; Infinity when idle. */
  deadlineAt = Infinity;
  private timeoutMs = 0;
  private controller = new AbortController();
  /** Settles the pending `race` or `outcome` when the deadline passes. */
  private reject: ((reason: unknown) => void) | undefined;
  private resolve: ((outcome: Outcome) => void) | undefined;

  constructor(private readonly owner: CoarseDeadlines) {}

  /** Aborts when the armed operation times out; stays aborted until the next `arm`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Bounds the next operation to `timeoutMs` from `now` (a `performance.now()` reading). */
  arm(timeoutMs: number, now = performance.now()): void {
    if (this.controller.signal.aborted) this.controller = new AbortController();
    this.timeoutMs = timeoutMs;
    this.deadlineAt = now + timeoutMs;
    this.owner.wake();
  }

  disarm(): void {
    this.deadlineAt = Infinity;
    this.reject = undefined;
    this.resolve = undefined;
  }

  /** Settles like `p`, or rejects with the TimeoutError when the armed deadline passes first. */
  race<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.reject = reject;
      p.then(resolve, reject);
    });
  }

  /**
   * The armed operation's outcome: `p`'s, or `info: timeout` when the deadline passes first
   * (or `p` fails after it passed); anything else `p` throws goes through `classify`. The
   * slot disarms itself when `p` settles in time. One promise and no async frame: this is
   * the run loop's path for every operation.
   */
  outcome(p: Promise<Outcome>, classify: (err: unknown) => Outcome): Promise<Outcome> {
    const signal = this.controller.signal;
    return new Promise<Outcome>((resolve) => {
      this.resolve = resolve;
      p.then(
        (outcome) => {
          // A late settlement must not disarm the slot's next operation.
          if (this.resolve === resolve) this.disarm();
          resolve(outcome);
        },
        (err: unknown) => {
          if (this.resolve === resolve) this.disarm();
          resolve(signal.aborted ? TIMED_OUT : classify(err));
        },
      );
    });
  }

  /** The deadline passed: abort the signal and the pending `race` or `outcome`. */
  expire(): void {
    const reason = new DOMException(`timed out after ${this.timeoutMs} ms`, 'TimeoutError');
    this.controller.abort(reason);
    const { reject, resolve } = this;
    this.disarm();
    reject?.(reason);
    resolve?.(TIMED_OUT);
  }
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
    // Called after every operation: no copy when nobody waits.
    if (this.waiters.size === 0) return;
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
