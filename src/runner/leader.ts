import { bounded, sleepMs } from './async.js';
import type { ClusterView } from './client.js';

/**
 * Keeps the cluster's current leader at hand for `leader` routing: looked up at start and
 * then every `refreshMs`, so routing an operation never waits for a lookup. A failed or
 * slow lookup means "no leader known" until the next one.
 */
export class LeaderWatch {
  current: string | undefined;
  private readonly stopped = new AbortController();

  constructor(
    private readonly cluster: ClusterView,
    private readonly refreshMs: number,
  ) {}

  /** Resolves after the first lookup; later ones run in the background until `stop`. */
  async start(): Promise<void> {
    await this.refresh();
    void (async () => {
      while (!this.stopped.signal.aborted) {
        await sleepMs(this.refreshMs, this.stopped.signal);
        if (!this.stopped.signal.aborted) await this.refresh();
      }
    })();
  }

  stop(): void {
    this.stopped.abort();
  }

  private async refresh(): Promise<void> {
    const r = await bounded(this.refreshMs, (signal) => this.cluster.leader(signal));
    this.current = r.ok ? r.value : undefined;
  }
}
