import type { Client, Event, Stat } from 'node-zookeeper-client';
import type { Json } from '../../history/event.js';
import type { StateObservation, StateWatchCapability } from '../../runner/capabilities.js';
import { KEY_PREFIX, abortError, decodeValue, encodeValue, untilAborted } from '../capability-support.js';
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
  let ready: Promise<void> | undefined;
  // The znodes exist before any read: a watch on a missing znode would need exists() instead.
  const prepare = (keys: readonly string[]): Promise<void> => (ready ??= Promise.all(keys.map((k) => mkdirp(client, pathOf(k)))).then(() => undefined));
  return {
    style: 'state',
    async put(pairs, { signal }) {
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
      try {
        await untilAborted(prepare(keys), signal);
      } catch (err) {
        ready = undefined;
        throw err;
      }
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
        // Each is recorded as its reply arrives, so the order is the session's.
        closing = true;
        await untilAborted(sync(client, ZK_WATCH_ROOT), signal);
        await untilAborted(
          Promise.all(
            keys.map(async (k) => {
              const atMs = Date.now() - started;
              const r = await getStat(client, pathOf(k));
              if (!over) observations.push({ key: k, cause: 'check', value: valueOf(r.data), revision: zxidNumber(r.stat.mzxid), version: r.stat.version, atMs });
            }),
          ),
          signal,
        );
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

function getStat(client: Client, path: string): Promise<{ data: Buffer | undefined; stat: Stat }> {
  return new Promise((resolve, reject) => client.getData(path, (err, data, stat) => (err === null ? resolve({ data, stat }) : reject(err))));
}

