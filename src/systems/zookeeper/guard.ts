import { createRequire } from 'node:module';
import { reportIncident } from '../../runner/incidents.js';

/**
 * node-zookeeper-client parses server replies inside its socket handlers; a reply it cannot
 * parse (seen right after a killed server restarts: `Unknown code: -621412352`) throws there,
 * outside any operation, and would end the whole process. Every handler the library attaches
 * to its socket is wrapped: what one throws resets that connection — its operations in
 * flight fail with CONNECTION_LOSS (an unknown outcome) and the client reconnects or its
 * process retires — and is reported as an incident of the run, not a crash.
 */
interface ConnectionManager {
  socket?: { destroy(): void };
  pendingBuffer?: Buffer | null;
}

const HANDLERS = ['onSocketData', 'onSocketConnected', 'onSocketDrain', 'onSocketTimeout', 'onSocketConnectTimeout', 'onPacketQueueReadable', 'onSocketClosed', 'onSocketError'] as const;

let installed = false;
/** Test hook: the next socket data handled throws these, one per reply, as the library's own parser would. */
const injected: Error[] = [];

export function guardZookeeperClient(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const { prototype } = require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: Record<string, unknown> };
  for (const name of HANDLERS) {
    const original = prototype[name];
    if (typeof original !== 'function') continue;
    prototype[name] = function guarded(this: ConnectionManager, ...args: unknown[]): unknown {
      try {
        const err = name === 'onSocketData' ? injected.shift() : undefined;
        if (err !== undefined) throw err;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (err) {
        reportIncident(`the ZooKeeper client library threw in ${name} (${err instanceof Error ? err.message : String(err)}); that connection was reset`);
        this.pendingBuffer = null;
        // Closing the socket makes the library fail what is in flight (CONNECTION_LOSS) and reconnect.
        if (name !== 'onSocketClosed') this.socket?.destroy();
        return undefined;
      }
    };
  }
}

/** Makes the next reply any ZooKeeper client reads throw inside the library (for tests of the guard). */
export function injectZookeeperSocketError(message = 'Unknown code: -621412352'): void {
  injected.push(new Error(message));
}
