import { EventEmitter } from 'node:events';
import type Consul from 'consul';
import type { StateObservation, StateWatchCapability } from '../../runner/capabilities.js';
import { KEY_PREFIX, abortError, decodeValue, encodeValue, untilAborted } from '../capability-support.js';

export const CONSUL_WATCH_PREFIX = `${KEY_PREFIX}/watch/`;

/** How long each blocking query waits for its key's index to move (Consul's `wait`). */
const BLOCK_WAIT_MS = 1_000;

interface TxnReply {
  Results?: { KV?: { ModifyIndex?: number } }[] | null;
}
interface KvItem {
  Value: string | null;
  ModifyIndex: number;
}
type TxnCreate = (operations: readonly unknown[]) => Promise<unknown>;

/**
 * Consul's blocking queries, as its documentation says to use them: each key is read with
 * `?consistent&index=N&wait=1s`, N the X-Consul-Index of the key's previous answer (0 at
 * first), again and again for `windowMs`. Puts go through the txn API (two keys: one txn),
 * which answers with the ModifyIndex they were made at.
 *
 * `readMode` `stale` (known-unsafe, opt-in) sends `?stale` instead: any server answers from
 * its own copy, so a server cut off from the leader keeps handing back a state that
 * acknowledged puts have moved past — the checker's stale-state rule, which holds every
 * window to the consistent promise, finds it. Every other mode stays `?consistent`: the
 * `default` mode's reads may be stale for a moment after a leader change (Consul documents
 * it), which would turn the checked promise into a guess.
 */
export function consulWatch(client: Consul, readMode: string): StateWatchCapability {
  const consistency = readMode === 'stale' ? 'stale' : 'consistent';
  const createTxn = client.transaction.create.bind(client.transaction) as unknown as TxnCreate;
  return {
    style: 'state',
    async put(pairs, { signal }) {
      const ops = pairs.map(([k, v]) => ({ KV: { Verb: 'set', Key: CONSUL_WATCH_PREFIX + k, Value: Buffer.from(encodeValue(v)).toString('base64') } }));
      const reply = (await untilAborted(createTxn(ops), signal)) as TxnReply;
      const index = reply.Results?.[0]?.KV?.ModifyIndex;
      if (typeof index !== 'number') throw new Error('the txn succeeded but its reply carries no ModifyIndex: revision unknown');
      return index;
    },

    async watch(windowMs, keys, { signal }) {
      const started = Date.now();
      const observations: StateObservation[] = [];
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), windowMs);
      const onAbort = (): void => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      let interrupted = false;
      let failure: unknown;
      const follow = async (key: string): Promise<void> => {
        let index = 0;
        while (!stop.signal.aborted) {
          const atMs = Date.now() - started;
          const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
          const cancel = (): void => void ctx.emit('cancel');
          stop.signal.addEventListener('abort', cancel, { once: true });
          try {
            const options = { key: CONSUL_WATCH_PREFIX + key, [consistency]: true, index: String(index), wait: `${BLOCK_WAIT_MS}ms`, ctx };
            const [response, item] = (await client.kv.get(options as unknown as Parameters<Consul['kv']['get']>[0])) as unknown as [{ headers: Record<string, string | undefined> }, KvItem | undefined];
            const got = Number(response.headers['x-consul-index'] ?? NaN);
            observations.push({
              key,
              cause: 'block',
              value: item === undefined || item === null ? null : decodeValue(item.Value),
              revision: item?.ModifyIndex ?? 0,
              requested: index,
              index: got,
              elapsedMs: Date.now() - started - atMs,
              waitMs: index === 0 ? 0 : BLOCK_WAIT_MS,
              atMs,
            });
            // Consul's advice: an index that went back (or is missing) restarts from 0. The checker flags it first.
            index = Number.isFinite(got) && got >= index ? got : 0;
          } catch (err) {
            if (stop.signal.aborted) return;
            // A failed query (no leader, a timeout): this key is not followed to the end.
            interrupted = true;
            failure ??= err;
            return;
          } finally {
            stop.signal.removeEventListener('abort', cancel);
          }
        }
      };
      try {
        await Promise.all(keys.map(follow));
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
      if (signal.aborted) throw abortError(signal);
      if (observations.length === 0 && failure !== undefined) throw failure;
      return { system: 'consul', interrupted, observations, ...(consistency === 'stale' ? { consistency } : {}) };
    },
  };
}
