/**
 * The queue every system with a conditional store offers the same way: one key holding the
 * queue as a JSON list, head first; enqueue appends, dequeue takes the head, drain takes
 * all, each a read and a commit conditional on the key not having changed since (etcd Txn
 * on its mod revision, ZooKeeper setData on its version, Consul CAS on its modify index) —
 * the single-key compare-and-set queue of the etcd and Consul recipes.
 */
import type { Json } from '../history/event.js';
import type { CallOptions, QueueCapability } from '../runner/capabilities.js';
import { KEY_PREFIX, definitely } from './capability-support.js';
import { type ConditionalStore, readModifyCommit } from './data-types.js';

export const QUEUE_KEY = `${KEY_PREFIX}/queue`;

function listOf(stored: Json | undefined): Json[] {
  if (stored === null || stored === undefined) return [];
  if (!Array.isArray(stored)) throw definitely('not-a-queue', `the queue key holds ${typeof stored}, not a list`);
  return stored;
}

export function conditionalQueue<Seen>(store: ConditionalStore<Seen>): QueueCapability {
  return {
    async enqueue(element, { signal }: CallOptions) {
      await readModifyCommit(store, 'enqueue', [QUEUE_KEY], signal, ([q]) => ({ result: undefined, writes: new Map([[QUEUE_KEY, [...listOf(q), element]]]) }));
    },
    async dequeue({ signal }: CallOptions) {
      return readModifyCommit(store, 'dequeue', [QUEUE_KEY], signal, ([q]) => {
        const [head, ...rest] = listOf(q);
        // Empty: nothing written, the read still pinned at commit.
        return head === undefined ? { result: null, writes: new Map() } : { result: head, writes: new Map([[QUEUE_KEY, rest]]) };
      });
    },
    async drain({ signal }: CallOptions) {
      return readModifyCommit(store, 'drain', [QUEUE_KEY], signal, ([q]) => {
        const all = listOf(q);
        return { result: all, writes: all.length === 0 ? new Map() : new Map<string, Json>([[QUEUE_KEY, []]]) };
      });
    },
  };
}
