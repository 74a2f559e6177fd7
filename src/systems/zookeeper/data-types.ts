import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import type { Json } from '../../history/event.js';
import type { CounterCapability, SetCapability } from '../../runner/capabilities.js';
import { KEY_PREFIX, encodeValue } from '../capability-support.js';
import * as stored from '../data-types.js';
import { conditionalQueue } from '../queue.js';
import { BANK_PREFIX, conditionalBank } from '../bank.js';
import { commitMulti, type MultiStep } from './multi.js';
import { sync } from './sync.js';
import { create, getChildren, getData, hasCode, mkdirp } from './znodes.js';

const { CreateMode, Exception } = zookeeper;

export interface ZookeeperDataTypeOptions {
  /** `sync` before set and counter reads (the `sync` read mode). */
  readonly syncReads: boolean;
  /** Test hook: runs between a read and its conditional commit (to provoke a conflict). */
  readonly beforeCommit?: () => Promise<void>;
}

const SET_ROOT = `/${stored.SET_PREFIX}`;
const TXN_ROOT = `/${stored.TXN_PREFIX}`;

/** Refusals that mean "a znode changed since our read; nothing was applied". */
const CONFLICTS = [Exception.BAD_VERSION, Exception.NODE_EXISTS, Exception.NO_NODE];

/** The multi step that pins a znode as read (`version` undefined: absent) and writes `next`, if any. */
function stepFor(path: string, version: number | undefined, next: Json | undefined): MultiStep {
  if (next === undefined) return version === undefined ? { op: 'absent', path } : { op: 'check', path, version };
  const data = Buffer.from(encodeValue(next));
  return version === undefined ? { op: 'create', path, data } : { op: 'setData', path, data, version };
}

/**
 * Sets: a child znode per element under SET_ROOT (`getChildren` reads the set). Txn and
 * counter: a znode per key holding its value as JSON; the znodes are read, then one `multi`
 * checks every read znode's version (or its absence) and sets or creates the written ones;
 * a conflict applied nothing and is retried from a fresh read. A read-only transaction
 * commits its checks too, so the leader confirms its reads.
 */
export function zookeeperDataTypes(client: Client, options: ZookeeperDataTypeOptions) {
  let roots: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    // The parents of every znode the data types create (a create under a missing parent fails NO_NODE).
    roots ??= Promise.all([mkdirp(client, SET_ROOT), mkdirp(client, TXN_ROOT), mkdirp(client, `/${BANK_PREFIX}`), mkdirp(client, `/${KEY_PREFIX}`)]).then(() => undefined);
    roots.catch(() => (roots = undefined));
    return roots;
  };

  const store: stored.ConditionalStore<Map<string, number | undefined>> = {
    snapshotReads: false,
    beforeCommit: options.beforeCommit,
    async read(keys) {
      await ready();
      const found = await Promise.all(keys.map((k) => getData(client, `/${k}`)));
      return {
        values: found.map((f) => stored.decodeStored(f?.data.toString())),
        seen: new Map(keys.map((k, i) => [k, found[i]?.version])),
      };
    },
    async commit(versions, writes) {
      try {
        await commitMulti(client, [...versions].map(([k, version]) => stepFor(`/${k}`, version, writes.get(k))));
        return true;
      } catch (err) {
        if (CONFLICTS.some((code) => hasCode(err, code))) return false;
        throw err;
      }
    },
  };

  const set: SetCapability = {
    async add(element: Json) {
      await ready();
      try {
        await create(client, `${SET_ROOT}/${stored.elementName(element)}`, Buffer.from(encodeValue(element)), CreateMode.PERSISTENT);
      } catch (err) {
        // Already a member (an earlier attempt of this add that ended unknown): the set holds it.
        if (!hasCode(err, Exception.NODE_EXISTS)) throw err;
      }
    },
    async read() {
      await ready();
      if (options.syncReads) await sync(client, SET_ROOT);
      return (await getChildren(client, SET_ROOT)).map(stored.elementFromName);
    },
  };

  const counter: CounterCapability = {
    add: (delta, call) => stored.conditionalAdd(store, delta, call),
    async read() {
      const path = `/${stored.COUNTER_KEY}`;
      if (options.syncReads) await sync(client, path);
      return stored.decodeCounter((await getData(client, path))?.data.toString());
    },
  };

  return { set, txn: stored.conditionalTxn(store), counter, bank: conditionalBank(store), queue: conditionalQueue(store) };
}
