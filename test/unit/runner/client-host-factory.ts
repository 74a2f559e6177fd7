/** A client factory for ClientHosts' tests: no database, clients that answer from memory. */
import type { Client, OpenClient } from '../../../src/runner/client.js';

export function createOpenClient(payload: unknown): OpenClient {
  const { delayMs } = payload as { delayMs: number };
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
