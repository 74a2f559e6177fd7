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
  /** The client of the operation in progress, whose classifiers come first. */
  private current: Client | undefined;

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
   * Invokes `op` with this process's client for `node`, opened first if needed; `timeoutMs`
   * covers both, counted from `startedAt` (a `performance.now()` reading; default: now).
   * Never rejects: what the client throws is classified.
   */
  call(op: OpRequest, node: string, timeoutMs: number, startedAt?: number): Promise<Outcome> {
    const client = this.clients.get(node);
    if (client === undefined) return this.openAndCall(op, node, timeoutMs, startedAt);
    const slot = this.deadline;
    slot.arm(timeoutMs, startedAt);
    this.current = client;
    return slot.outcome(invoke(client, op, slot.signal), this.classify);
  }

  private async openAndCall(op: OpRequest, node: string, timeoutMs: number, startedAt?: number): Promise<Outcome> {
    const slot = this.deadline;
    slot.arm(timeoutMs, startedAt);
    const signal = slot.signal;
    const opening = this.openClient(node, this.process, signal);
    let client: Client;
    try {
      client = await slot.race(opening);
    } catch (err) {
      slot.disarm();
      // A client that turns up after its timeout is closed at once rather than leaked.
      opening.then((late) => this.closing.push(closeQuietly(late)), () => undefined);
      // Nothing was sent, so the operation certainly did not happen.
      return { type: 'fail', error: signal.aborted ? 'open-timeout' : `open: ${errorText(err)}` };
    }
    this.clients.set(node, client);
    this.current = client;
    // Still armed: the time spent opening counts against the operation.
    return slot.outcome(invoke(client, op, signal), this.classify);
  }

  /** What the current client's invoke threw, as an outcome: its own classifiers first, then the run's. */
  private readonly classify = (err: unknown): Outcome => {
    const own = this.current?.classifiers;
    return classifyError(err, own === undefined ? this.classifiers : [...own, ...(this.classifiers ?? [])]);
  };

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

/** A client's invoke, with what it throws synchronously turned into a rejection. */
function invoke(client: Client, op: OpRequest, signal: AbortSignal): Promise<Outcome> {
  try {
    return client.invoke(op, signal);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Closing is best effort and bounded: the process is done with this client either way. */
async function closeQuietly(client: Client): Promise<void> {
  await bounded(CLOSE_TIMEOUT_MS, () => client.close());
}
