import type { OpRequest } from '../generator/types.js';
import { type DeadlineSlot, bounded } from './async.js';
import type { Client, OpenClient } from './client.js';
import { type ErrorClassifier, type Outcome, classifyError, errorText } from './outcome.js';

const CLOSE_TIMEOUT_MS = 5_000;

/**
 * One client worker slot: the logical process it currently runs as, and that process's
 * clients (one per node it has talked to, opened on first use).
 */
export class ClientWorker {
  process: number;
  private clients = new Map<string, Client>();

  constructor(
    readonly thread: number,
    private readonly openClient: OpenClient,
    private readonly classifiers: readonly ErrorClassifier[] | undefined,
    /** Where closes in progress go, so the run can wait for them before it ends. */
    private readonly closing: Promise<void>[],
    /** Bounds this worker's operations (see CoarseDeadlines). */
    private readonly deadline: DeadlineSlot,
  ) {
    this.process = thread;
  }

  /**
   * Opens (if needed) this process's client for `node` and invokes `op`; `timeoutMs` covers
   * both, counted from `startedAt` (a `performance.now()` reading; default: now).
   */
  async call(op: OpRequest, node: string, timeoutMs: number, startedAt?: number): Promise<Outcome> {
    const timer = this.deadline;
    timer.arm(timeoutMs, startedAt);
    const signal = timer.signal;
    try {
      let client = this.clients.get(node);
      if (client === undefined) {
        const opening = this.openClient(node, this.process, signal);
        try {
          client = await timer.race(opening);
        } catch (err) {
          // A client that turns up after its timeout is closed at once rather than leaked.
          opening.then((late) => this.closing.push(closeQuietly(late)), () => undefined);
          // Nothing was sent, so the operation certainly did not happen.
          return { type: 'fail', error: signal.aborted ? 'open-timeout' : `open: ${errorText(err)}` };
        }
        this.clients.set(node, client);
      }
      return await timer.race(client.invoke(op, signal));
    } catch (err) {
      if (signal.aborted) return { type: 'info', error: 'timeout' };
      const own = this.clients.get(node)?.classifiers;
      return classifyError(err, own === undefined ? this.classifiers : [...own, ...(this.classifiers ?? [])]);
    } finally {
      timer.disarm();
    }
  }

  /**
   * After `info` the process may still have an operation in the system, so it never issues
   * again: its clients are closed and the worker continues as process id + concurrency.
   */
  retire(concurrency: number): void {
    this.closeClients();
    this.process += concurrency;
  }

  closeClients(): void {
    for (const client of this.clients.values()) this.closing.push(closeQuietly(client));
    this.clients = new Map();
  }
}

/** Closing is best effort and bounded: the process is done with this client either way. */
async function closeQuietly(client: Client): Promise<void> {
  await bounded(CLOSE_TIMEOUT_MS, () => client.close());
}
