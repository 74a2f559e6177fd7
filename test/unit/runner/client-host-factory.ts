/** A client factory for ClientHosts' tests: no database, clients that answer from memory. */
import type { Client, OpenClient } from '../../../src/runner/client.js';

export async function createOpenClient(payload: unknown): Promise<OpenClient> {
  const { delayMs, startMs, startBusy } = payload as { delayMs: number; startMs?: number; startBusy?: boolean };
  // A slow start: `startBusy` computes all along (a starved but working child), else it waits (a stuck one).
  if (startMs !== undefined) {
    const until = Date.now() + startMs;
    if (startBusy === true) while (Date.now() < until);
    else await new Promise((resolve) => setTimeout(resolve, startMs));
  }
  return async (node, process): Promise<Client> => ({
    node,
    invoke: async (op, signal) => {
      if (op.f === 'explode') {
        // A client library throwing from its own event handler, outside the operation.
        setTimeout(() => {
          throw new Error('library exploded');
        }, 1);
        return new Promise(() => undefined);
      }
      if (op.f === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { type: 'ok', value: [process, node, op.value] };
    },
    close: async () => undefined,
  });
}
