import type { Client, Event, Stat } from 'node-zookeeper-client';
import type { Json } from '../../history/event.js';
import type { StateObservation, StateWatchCapability } from '../../runner/capabilities.js';
import { KEY_PREFIX, abortError, decodeValue, definitely, encodeValue, untilAborted } from '../capability-support.js';
import { buildMulti } from './multi.js';
import { mkdirp } from './znodes.js';
import { sync } from './sync.js';

export const ZK_WATCH_ROOT = `/${KEY_PREFIX}/watch`;
const pathOf = (key: string): string => `${ZK_WATCH_ROOT}/${encodeURIComponent(key)}`;

/** A zxid (an 8-byte Buffer: epoch, counter) as a number: exact while the epoch stays below 2^21. */
export function zxidNumber(b: Buffer): number {
  return Number(b.readBigUInt64BE(0));
}

/** A read's value: an empty znode (as created, never put) holds no value. */
function valueOf(data: Buffer | undefined): Json {
  return data === undefined || data.length === 0 ? null : decodeValue(data.toString());
}

/**
 * ZooKeeper's one-shot watches, used as its documentation says: read a key with a watch,
 * and on each notification read it again with a new watch, comparing versions (a change
 * between the read and the next is coalesced into one notification, never lost). A window
 * does that for every key for `windowMs`, then syncs and reads each key once more (no
 * watch): ZooKeeper shows a client the watch event before the new data, so newer data then
 * without a notification is a missed one. Puts are setData (two keys: one multi), at the
 * mzxid of their Stat.
 */
export function zookeeperWatch(client: Client): StateWatchCapability {
  const made = new Map<string, Promise<void>>();
  // The znodes exist before any read (a watch on a missing znode would need exists() instead)
  // and before any put (setData on a missing znode fails: a run's first puts would all be
  // lost to `no-node`). A failed creation is tried again by the next operation.
  const prepare = async (keys: readonly string[]): Promise<void> => {
    await Promise.all(
      keys.map((k) => {
        let p = made.get(k);
        if (p === undefined) {
          p = mkdirp(client, pathOf(k));
          made.set(k, p);
          p.catch(() => made.delete(k));
        }
        return p;
      }),
    );
  };
  return {
    style: 'state',
    async put(pairs, { signal }) {
      // Before setData is sent nothing of the put can have happened: a failure here is definite.
      await untilAborted(prepare(pairs.map(([k]) => k)), signal).catch((err: unknown) => {
        throw definitely('no-znode', `creating the znodes of ${pairs.map(([k]) => k).join(', ')} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      if (pairs.length === 1) {
        const [key, value] = pairs[0]!;
        return zxidNumber((await untilAborted(setStat(client, pathOf(key), Buffer.from(encodeValue(value))), signal)).mzxid);
      }
      const steps = pairs.map(([k, v]) => ({ op: 'setData' as const, path: pathOf(k), data: Buffer.from(encodeValue(v)), version: -1 }));
      const results = await untilAborted(
        new Promise<{ stat?: Stat }[]>((resolve, reject) => buildMulti(client, steps).commit((err, res) => (err === null || err === undefined ? resolve((res ?? []) as { stat?: Stat }[]) : reject(err)))),
        signal,
      );
      const stat = results[0]?.stat;
      if (stat === undefined) throw new Error('the multi succeeded but its reply carries no Stat: revision unknown');
      return zxidNumber(stat.mzxid);
    },

    async watch(windowMs, keys, { signal }) {
      await untilAborted(prepare(keys), signal);
      const started = Date.now();
      const observations: StateObservation[] = [];
      let interrupted = false;
      let over = false;
      // Once the closing reads begin, notifications are still recorded but no key is read again.
      let closing = false;
      const onState = (state: { name?: string }): void => {
        if (state.name !== 'SYNC_CONNECTED') interrupted = true;
      };
      client.on('state', onState);
      let failure: unknown;
      const read = (key: string): void => {
        if (over) return;
        const atMs = Date.now() - started;
        client.getData(
          pathOf(key),
          (_event: Event) => {
            // Recorded at once, in the order the library delivers it (before later replies).
            if (over) return;
            observations.push({ key, cause: 'notification' });
            if (!closing) read(key);
          },
          (err, data, stat) => {
            if (over) return;
            if (err !== null) {
              // The watch is not set: this key is no longer followed, the window is not whole.
              interrupted = true;
              failure ??= err;
              return;
            }
            observations.push({ key, cause: 'get', value: valueOf(data), revision: zxidNumber(stat.mzxid), version: stat.version, atMs });
          },
        );
      };
      try {
        for (const k of keys) read(k);
        await untilAborted(new Promise((r) => setTimeout(r, windowMs)), signal);
        if (failure !== undefined && observations.length === 0) throw failure;
        // The closing reads: after a sync, each key as the leader had it when the sync began.
        // Each is recorded inside the library's reply callback, not after an await: the
        // library handles every packet of one socket read synchronously, so a notification
        // that follows the reply on the wire would otherwise be recorded before it.
        closing = true;
        await untilAborted(sync(client, ZK_WATCH_ROOT), signal);
        const check = (k: string): Promise<void> =>
          new Promise((resolve, reject) => {
            const atMs = Date.now() - started;
            client.getData(pathOf(k), (err, data, stat) => {
              if (err !== null) return reject(err);
              if (!over) observations.push({ key: k, cause: 'check', value: valueOf(data), revision: zxidNumber(stat.mzxid), version: stat.version, atMs });
              resolve();
            });
          });
        await untilAborted(Promise.all(keys.map(check)), signal);
      } finally {
        over = true;
        client.removeListener('state', onState);
      }
      if (signal.aborted) throw abortError(signal);
      return { system: 'zookeeper', interrupted, observations };
    },
  };
}

function setStat(client: Client, path: string, data: Buffer): Promise<Stat> {
  return new Promise((resolve, reject) => client.setData(path, data, -1, (err, stat) => (err === null ? resolve(stat) : reject(err))));
}
