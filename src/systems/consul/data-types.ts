import type Consul from 'consul';
import type { Json } from '../../history/event.js';
import type { CounterCapability, SetCapability } from '../../runner/capabilities.js';
import { encodeValue } from '../capability-support.js';
import * as stored from '../data-types.js';
import { conditionalQueue } from '../queue.js';
import { conditionalBank } from '../bank.js';

export interface ConsulDataTypeOptions {
  readonly readMode: string;
  /** Test hook: runs between a read and its conditional commit (to provoke a conflict). */
  readonly beforeCommit?: () => Promise<void>;
}

interface KvItem {
  Value: string | null;
  ModifyIndex: number;
}

/** One KV operation of Consul's txn API (values base64, `Index` the ModifyIndex to compare). */
export interface ConsulTxnOp {
  KV: { Verb: 'cas' | 'check-index' | 'check-not-exists'; Key: string; Value?: string; Index?: number };
}

/** The commit: every key read pinned at its ModifyIndex (absent: not existing), written keys set by `cas`. */
export function consulTxnOps(seen: ReadonlyMap<string, number | undefined>, writes: ReadonlyMap<string, string>): ConsulTxnOp[] {
  return [...seen].map(([Key, index]): ConsulTxnOp => {
    const value = writes.get(Key);
    // `cas` with Index 0 creates only if absent; otherwise only if nobody wrote since the read.
    if (value !== undefined) return { KV: { Verb: 'cas', Key, Value: Buffer.from(value).toString('base64'), Index: index ?? 0 } };
    return index === undefined ? { KV: { Verb: 'check-not-exists', Key } } : { KV: { Verb: 'check-index', Key, Index: index } };
  });
}

type TxnCreate = (operations: readonly ConsulTxnOp[], options: { consistent: boolean; stale: boolean }) => Promise<unknown>;

/**
 * Sets: a key per element under SET_PREFIX (value = the element's JSON), read recursively.
 * Txn and counter: a key per key holding its value as JSON; the keys are read, then
 * committed through the txn API with every key read pinned at its ModifyIndex; Consul
 * answers 409 to a failed check, having applied nothing, and the call is retried from a
 * fresh read. A read-only commit is served as a read, in the chosen consistency mode.
 */
export function consulDataTypes(client: Consul, options: ConsulDataTypeOptions) {
  const modeFlags = { consistent: options.readMode === 'consistent', stale: options.readMode === 'stale' };
  // The library sends operations as given (the API's `{KV: {Verb, …}}` shape); its types describe another.
  const createTxn = client.transaction.create.bind(client.transaction) as unknown as TxnCreate;
  const getItem = async (key: string): Promise<KvItem | undefined> =>
    ((await client.kv.get({ key, ...modeFlags })) as KvItem | null | undefined) ?? undefined;

  const store: stored.ConditionalStore<Map<string, number | undefined>> = {
    snapshotReads: false,
    beforeCommit: options.beforeCommit,
    async read(keys) {
      const items = await Promise.all(keys.map(getItem));
      return {
        values: items.map((item) => stored.decodeStored(item?.Value)),
        seen: new Map(keys.map((k, i) => [k, items[i]?.ModifyIndex])),
      };
    },
    async commit(seen, writes) {
      const puts = new Map([...writes].map(([k, v]) => [k, encodeValue(v)]));
      try {
        await createTxn(consulTxnOps(seen, puts), modeFlags);
        return true;
      } catch (err) {
        if (err instanceof Error && (err as { statusCode?: unknown }).statusCode === 409) return false;
        throw err;
      }
    },
  };

  const set: SetCapability = {
    async add(element: Json) {
      await client.kv.set({ key: `${stored.SET_PREFIX}/${stored.elementName(element)}`, value: encodeValue(element) });
    },
    async read() {
      const items = (await client.kv.get({ key: `${stored.SET_PREFIX}/`, recurse: true, ...modeFlags })) as KvItem[] | undefined;
      return (items ?? []).map((item) => stored.decodeStored(item.Value));
    },
  };

  const counter: CounterCapability = {
    add: (delta, call) => stored.conditionalAdd(store, delta, call),
    async read() {
      return stored.decodeCounter((await getItem(stored.COUNTER_KEY))?.Value);
    },
  };

  return { set, txn: stored.conditionalTxn(store), counter, bank: conditionalBank(store), queue: conditionalQueue(store) };
}
