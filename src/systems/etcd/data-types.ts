import type { Etcd3, IKeyValue, IRequestOp } from 'etcd3';
import type { Json } from '../../history/event.js';
import type { CounterCapability, SetCapability } from '../../runner/capabilities.js';
import { encodeValue } from '../capability-support.js';
import * as stored from '../data-types.js';
import { conditionalQueue } from '../queue.js';
import { conditionalBank } from '../bank.js';

export interface EtcdDataTypeOptions {
  readonly readMode: string;
  readonly callTimeoutMs: number;
  /** Test hook: runs between a read and its conditional commit (to provoke a conflict). */
  readonly beforeCommit?: () => Promise<void>;
}

/**
 * Sets: one key per element under SET_PREFIX (value = the element's JSON), read with one
 * prefix range. Txn and counter: the keys are read in one Txn, then written in a Txn whose
 * compares require every key read to still have the mod revision seen (a missing key's is
 * 0); a failed compare applied nothing and is retried from a fresh read. A read-only
 * transaction is its read Txn alone, answered as a whole.
 */
export function etcdDataTypes(client: Etcd3, options: EtcdDataTypeOptions) {
  const serializable = options.readMode === 'serializable';
  const callOptions = () => ({ deadline: Date.now() + options.callTimeoutMs });

  const store: stored.ConditionalStore<Map<string, string>> = {
    snapshotReads: true,
    beforeCommit: options.beforeCommit,
    async read(keys) {
      const success: IRequestOp[] = keys.map((k) => ({ request_range: { key: Buffer.from(k), serializable } }));
      const response = await client.kv.txn({ success }, callOptions());
      const found = new Map<string, IKeyValue>();
      for (const op of response.responses) {
        const kv = op.response_range.kvs[0];
        if (kv !== undefined) found.set(kv.key.toString(), kv);
      }
      return {
        values: keys.map((k) => stored.decodeStored(found.get(k)?.value.toString())),
        seen: new Map(keys.map((k) => [k, found.get(k)?.mod_revision ?? '0'])),
      };
    },
    async commit(revisions, writes) {
      const response = await client.kv.txn(
        {
          compare: [...revisions].map(([k, revision]) => ({ key: Buffer.from(k), target: 'Mod', result: 'Equal', mod_revision: revision })),
          success: [...writes].map(([k, v]) => ({ request_put: { key: Buffer.from(k), value: Buffer.from(encodeValue(v)) } })),
        },
        callOptions(),
      );
      return response.succeeded;
    },
  };

  const set: SetCapability = {
    async add(element: Json) {
      await client.put(`${stored.SET_PREFIX}/${stored.elementName(element)}`).value(encodeValue(element)).options(callOptions());
    },
    async read() {
      const found = await client.getAll().prefix(`${stored.SET_PREFIX}/`).serializable(serializable).options(callOptions()).strings();
      return Object.values(found).map((text) => stored.decodeStored(text));
    },
  };

  const counter: CounterCapability = {
    add: (delta, call) => stored.conditionalAdd(store, delta, call),
    async read() {
      return stored.decodeCounter(await client.get(stored.COUNTER_KEY).serializable(serializable).options(callOptions()).string());
    },
  };

  return { set, txn: stored.conditionalTxn(store), counter, bank: conditionalBank(store), queue: conditionalQueue(store) };
}
