import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import type { Node } from '../../cluster/node.js';
import type { Json, Key } from '../../history/event.js';
import type { LockCapability, RegisterCapability } from '../../runner/capabilities.js';
import type { ErrorClassifier } from '../../runner/outcome.js';
import {
  abortError,
  systemClient,
  definitely,
  decodeValue,
  encodeValue,
  KEY_PREFIX,
  rounds,
  untilAborted,
} from '../capability-support.js';
import type { CapabilityClient } from '../client-options.js';
import type { ReadMode } from '../descriptor.js';
import { InfrastructureError } from '../../errors.js';
import { ZK_PORT } from './config.js';
import { zookeeperDataTypes } from './data-types.js';
import { connectZookeeper } from './server.js';
import { sync } from './sync.js';
import { ELECTION_ROOT, zookeeperElection } from './election.js';
import { zookeeperWatch } from './watch.js';
import { create, getChildren, getData, hasCode, mkdirp, remove, setData, watchExisting } from './znodes.js';

const { CreateMode, Exception } = zookeeper;

const REGISTER_ROOT = `/${KEY_PREFIX}/register`;
const LOCK_ROOT = `/${KEY_PREFIX}/lock`;
const LOCK_NODE = 'lock-';

/** Server replies that mean the request was refused before it changed anything. */
const DEFINITE_CODES = new Map<number, string>([
  [Exception.NODE_EXISTS, 'node-exists'],
  [Exception.NO_NODE, 'no-node'],
  [Exception.BAD_VERSION, 'bad-version'],
  [Exception.NOT_EMPTY, 'not-empty'],
  [Exception.NO_CHILDREN_FOR_EPHEMERALS, 'no-children-for-ephemerals'],
  [Exception.BAD_ARGUMENTS, 'bad-arguments'],
  [Exception.NO_AUTH, 'no-auth'],
  [Exception.INVALID_ACL, 'invalid-acl'],
]);

/**
 * CONNECTION_LOSS and OPERATION_TIMEOUT leave the request's fate unknown; so does
 * SESSION_EXPIRED (a request sent before the expiry may have been applied).
 */
export const classifyZookeeperError: ErrorClassifier = (err) => {
  if (!(err instanceof Exception)) return undefined;
  const definite = DEFINITE_CODES.get(err.getCode());
  if (definite !== undefined) return { type: 'fail', error: definite };
  return { type: 'info', error: err.getName().toLowerCase().replaceAll('_', '-') };
};

function registerPath(key: Key): string {
  return `${REGISTER_ROOT}/${encodeURIComponent(String(key))}`;
}

const sameValue = (data: Buffer, expected: Json): boolean => encodeValue(decodeValue(data.toString())) === encodeValue(expected);

/** Catches a definite refusal `code` as "try another round". */
async function unlessRefused(code: number, act: () => Promise<unknown>): Promise<boolean> {
  try {
    await act();
    return true;
  } catch (err) {
    if (hasCode(err, code)) return false;
    throw err;
  }
}

function register(client: Client, syncReads: boolean): RegisterCapability {
  const readFresh = async (path: string, fresh: boolean) => {
    if (fresh) await sync(client, path);
    return getData(client, path);
  };
  return {
    async read(key: Key) {
      const found = await readFresh(registerPath(key), syncReads);
      return found === undefined ? null : decodeValue(found.data.toString());
    },
    async write(key: Key, value: Json) {
      const path = registerPath(key);
      const data = Buffer.from(encodeValue(value));
      await rounds('write', async () => {
        if (await unlessRefused(Exception.NO_NODE, () => setData(client, path, data, -1))) return true;
        if (await unlessRefused(Exception.NODE_EXISTS, () => create(client, path, data, CreateMode.PERSISTENT))) return true;
        return undefined;
      });
    },
    async cas(key: Key, expected: Json, next: Json) {
      const path = registerPath(key);
      const data = Buffer.from(encodeValue(next));
      return rounds('cas', async () => {
        // The "no" answer rests on this read, so it is always synced.
        const current = await readFresh(path, true);
        if (current === undefined) {
          if (expected !== null) return false;
          return (await unlessRefused(Exception.NODE_EXISTS, () => create(client, path, data, CreateMode.PERSISTENT))) || undefined;
        }
        if (!sameValue(current.data, expected)) return false;
        // setData honours version 0 (unlike the library's transaction(), which turns 0 into "any").
        // BAD_VERSION: someone wrote in between, perhaps the same value: read again.
        const set = await unlessRefused(Exception.BAD_VERSION, () => setData(client, path, data, current.version));
        return set || undefined;
      });
    },
  };
}

/** A session whose timeout is the lock TTL: its ephemeral znodes die with it. */
async function openSession(node: Node, timeoutMs: number): Promise<Client> {
  const client = zookeeper.createClient(`${node.address}:${ZK_PORT}`, { sessionTimeout: timeoutMs, spinDelay: 200, retries: 0 });
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  client.connect();
  try {
    await untilAborted(connected, AbortSignal.timeout(10_000));
    return client;
  } catch {
    client.close();
    throw new InfrastructureError(`ZooKeeper on ${node.name} did not accept a lock session within 10 s`, 'is the node part of a quorum?');
  }
}

const sequenceOf = (child: string): number => Number(child.slice(LOCK_NODE.length));

/**
 * The ephemeral-sequential recipe: each contender creates `lock-N` under the lock's znode;
 * the lowest N holds the lock, every other contender watches the one just below its own.
 * The token is the holder's znode name, its sequence number the fence; release deletes it. The lock session's timeout is
 * the TTL: a holder that stops heartbeating loses the lock when the session expires.
 */
function lock(sessionFor: (ttlMs: number) => Promise<Client>): LockCapability {
  return {
    async acquire(name, ttlMs, { signal }) {
      // Every step gives up at the signal (a frozen server never answers); the znode we may
      // have created is then removed in the background, or dies with the session at close.
      const session = await untilAborted(sessionFor(ttlMs), signal);
      const dir = `${LOCK_ROOT}/${encodeURIComponent(name)}`;
      await untilAborted(mkdirp(session, dir), signal);
      const creating = create(session, `${dir}/${LOCK_NODE}`, Buffer.alloc(0), CreateMode.EPHEMERAL_SEQUENTIAL);
      const withdraw = (): void => void creating.then((path) => remove(session, path)).catch(() => undefined);
      try {
        const mine = (await untilAborted(creating, signal)).slice(dir.length + 1);
        for (;;) {
          if (signal.aborted) throw abortError(signal);
          const children = await untilAborted(getChildren(session, dir), signal);
          const queue = children.filter((c) => c.startsWith(LOCK_NODE)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
          const ahead = queue.filter((c) => sequenceOf(c) < sequenceOf(mine)).at(-1);
          if (ahead === undefined) return { token: mine, fence: sequenceOf(mine) };
          const watch = await untilAborted(watchExisting(session, `${dir}/${ahead}`), signal);
          if (watch !== undefined) await untilAborted(watch.changed, signal);
        }
      } catch (err) {
        // Stop contending: our znode would otherwise take the lock later, for nobody.
        withdraw();
        throw err;
      }
    },
    async release(name, token) {
      if (!/^lock-\d+$/.test(token)) throw definitely('bad-token', `not a lock token of this recipe: ${token}`);
      const session = await sessionFor(0);
      // NO_NODE: the znode died with its session (expired) before the release came.
      return (await remove(session, `${LOCK_ROOT}/${encodeURIComponent(name)}/${token}`)) ? 'released' : 'lost';
    },
  };
}

/** Every transaction, read-only ones too, commits a multi through the leader. */
const READ_MODES: readonly ReadMode[] = [
  { name: 'sync', summary: 'sync with the leader before each read (the default)', consistency: 'strict-serializable' },
  { name: 'nosync', summary: "the connected server's own copy, possibly behind", consistency: 'strict-serializable' },
];

export const zookeeperClient = systemClient('zookeeper', READ_MODES, ['register', 'lock', 'election', 'set', 'txn', 'counter', 'bank', 'queue', 'watch'], async (_cluster, node, options, readMode): Promise<CapabilityClient> => {
  const client = await connectZookeeper(node);
  try {
    // A server without quorum never answers: bound the set-up like a call.
    const signal = AbortSignal.timeout(options.callTimeoutMs);
    await untilAborted(mkdirp(client, REGISTER_ROOT), signal);
    await untilAborted(mkdirp(client, LOCK_ROOT), signal);
    await untilAborted(mkdirp(client, ELECTION_ROOT), signal);
  } catch (err) {
    client.close();
    throw err;
  }
  // One lock session per TTL; `0` (release) means "any session", the main one will do.
  const sessions = new Map<number, Promise<Client>>();
  const sessionFor = (ttlMs: number): Promise<Client> => {
    if (ttlMs === 0) return Promise.resolve(client);
    let session = sessions.get(ttlMs);
    if (session === undefined) {
      session = openSession(node, ttlMs);
      session.catch(() => sessions.delete(ttlMs));
      sessions.set(ttlMs, session);
    }
    return session;
  };
  return {
    capabilities: {
      register: register(client, readMode === 'sync'),
      lock: lock(sessionFor),
      election: zookeeperElection(sessionFor, client, readMode === 'sync'),
      ...zookeeperDataTypes(client, { syncReads: readMode === 'sync' }),
      watch: zookeeperWatch(client),
    },
    classifiers: [classifyZookeeperError],
    async close() {
      // Closing a session deletes its ephemeral znodes: every lock it held is free at once.
      const open = await Promise.allSettled(sessions.values());
      for (const s of open) if (s.status === 'fulfilled') s.value.close();
      client.close();
    },
  };
});
