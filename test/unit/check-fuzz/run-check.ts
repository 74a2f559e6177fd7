import { Worker } from 'node:worker_threads';

export interface CheckOutcome {
  /** The exit code; -1 when something escaped `main` (it never throws), -2 when the case ran past its time. */
  code: number;
  out: string;
  err: string;
  ms: number;
}

/**
 * `faultline check ARGS` run in a worker thread, its stdout and stderr captured there: hundreds
 * of cases in seconds, where a child process per case would take a minute. A worker, not
 * this thread: node:test reports through this process's stdout, and a case that hangs (a
 * synchronous loop, too) is ended by terminating the worker, which the next case replaces.
 */
export class CheckRunner {
  private worker: Worker | undefined;
  private next = 0;

  async run(args: readonly string[], timeoutMs: number): Promise<CheckOutcome> {
    const worker = (this.worker ??= new Worker(new URL('./check-worker.js', import.meta.url)));
    const id = this.next++;
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<CheckOutcome>((resolve, reject) => {
        const onMessage = (m: { id: number; outcome: CheckOutcome }): void => {
          if (m.id !== id) return;
          worker.off('message', onMessage);
          resolve(m.outcome);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        timer = setTimeout(() => {
          worker.off('message', onMessage);
          this.worker = undefined;
          void worker.terminate();
          resolve({ code: -2, out: '', err: `still running after ${timeoutMs} ms`, ms: performance.now() - start });
        }, timeoutMs);
        worker.postMessage({ id, args });
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
