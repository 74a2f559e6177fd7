import type { Etcd3, IWatchResponse } from 'etcd3';
import type { StreamWatchCapability, WatchEvent } from '../../runner/capabilities.js';
import { KEY_PREFIX, abortError, decodeValue, encodeValue } from '../capability-support.js';

/** Every key the watch workload writes lives under this prefix; events name the key without it. */
export const WATCH_PREFIX = `${KEY_PREFIX}/watch/`;

/** A fresh connection's first window starts this many revisions back: a resume from the past, not a replay of everything. */
const FRESH_LOOKBACK = 50;

/** A cancel that does not answer (the stream is down) is not waited for longer than this. */
const CANCEL_WAIT_MS = 1_000;

/**
 * Puts as one Txn (all pairs at one revision) and watch windows over WATCH_PREFIX. Each window
 * is a new watch from the revision after the last event the previous one delivered, so every
 * window also tests resuming from a revision. A fresh connection starts a little before the
 * current revision (a replay from 1 on every reconnection would grow the history with the
 * square of the run); the final window replays everything.
 */
export function etcdWatch(client: Etcd3, callTimeoutMs: number, prefix = WATCH_PREFIX): StreamWatchCapability {
  let next: number | undefined;
  return {
    style: 'stream',
    async put(pairs) {
      const success = pairs.map(([k, v]) => ({ request_put: { key: Buffer.from(prefix + k), value: Buffer.from(encodeValue(v)) } }));
      const response = await client.kv.txn({ success }, { deadline: Date.now() + callTimeoutMs });
      return Number(response.header.revision);
    },

    async watch(windowMs, fromStart, { signal }) {
      if (next === undefined && !fromStart) next = Math.max(1, (await currentRevision(client, callTimeoutMs)) - FRESH_LOOKBACK);
      const from: number = fromStart || next === undefined ? 1 : next;
      // A replay of everything knows where "everything" ends: the newest mod revision under the
      // prefix now. Delivering up to it means every change made before this moment was delivered.
      const through = fromStart ? await newestModRevision(client, prefix, callTimeoutMs) : undefined;
      // Handlers go on before the watch is sent (`watcher()`, not `create()`): a response that
      // arrived in the same tick as the creation would otherwise be missed, and the checker
      // would rightly call it lost.
      const watcher = client.watch().prefix(prefix).startRevision(String(from)).watcher();
      const responses: WatchEvent[][] = [];
      let interrupted = false;
      let created = false;
      try {
        await new Promise<void>((resolve, reject) => {
          let timer: NodeJS.Timeout | undefined;
          const finish = (err?: unknown): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            if (err === undefined) resolve();
            else reject(err);
          };
          const onAbort = (): void => finish(abortError(signal));
          signal.addEventListener('abort', onAbort, { once: true });
          watcher.on('connected', () => {
            if (created) return;
            created = true;
            timer = setTimeout(() => finish(), windowMs);
          });
          watcher.on('data', (res: IWatchResponse) => {
            // Progress notifications carry no events. A delete would be no write of ours:
            // kept (as null) for the checker to see.
            if (res.events.length === 0) return;
            responses.push(res.events.map((e) => ({ key: e.kv.key.toString().slice(prefix.length), value: e.type === 'Put' ? decodeValue(e.kv.value.toString()) : null, revision: Number(e.kv.mod_revision) })));
          });
          // The library would re-attach the watch itself; the window ends instead, with what came.
          const broke = (err: unknown): void => {
            if (!created) return finish(err);
            interrupted = true;
            finish();
          };
          watcher.on('disconnected', broke);
          watcher.on('error', broke);
        });
      } finally {
        await Promise.race([watcher.cancel().catch(() => undefined), new Promise((r) => setTimeout(r, CANCEL_WAIT_MS))]);
      }
      if (signal.aborted) throw abortError(signal);
      const last = responses.flat().reduce((m, e) => Math.max(m, e.revision), 0);
      next = Math.max(next ?? 1, from, last + 1);
      return through === undefined ? { from, responses, interrupted } : { from, responses, interrupted, through };
    },
  };
}

/** The store's revision now (a linearizable read of one key's range, for its header). */
async function currentRevision(client: Etcd3, callTimeoutMs: number): Promise<number> {
  const response = await client.kv.range({ key: Buffer.from(WATCH_PREFIX), limit: '1' }, { deadline: Date.now() + callTimeoutMs });
  return Number(response.header.revision);
}

/** The largest mod revision of any key under `prefix` (0 when there is none), read linearizably. */
async function newestModRevision(client: Etcd3, prefix: string, callTimeoutMs: number): Promise<number> {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  const response = await client.kv.range({ key: Buffer.from(prefix), range_end: end, keys_only: true }, { deadline: Date.now() + callTimeoutMs });
  return response.kvs.reduce((m, kv) => Math.max(m, Number(kv.mod_revision)), 0);
}
