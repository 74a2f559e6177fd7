/**
 * ZooKeeper's `multi` through node-zookeeper-client's `transaction()`, with its version bug
 * worked around: `check`, `setData` and `remove` turn version 0 into -1 ("any version")
 * (`version || -1`), so a conditional write on a znode never written since its creation
 * would silently succeed. Each op's version is set again after it is added.
 */
import type { Client, Transaction } from 'node-zookeeper-client';

/** One conditional step of a multi. `version` -1 means "any version". */
export type MultiStep =
  | { readonly op: 'check'; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: Buffer; readonly version: number }
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer }
  /** Succeeds only if `path` does not exist: a create and a delete of it in the same multi. */
  | { readonly op: 'absent'; readonly path: string };

/** The library's queued ops, which the workaround corrects in place. */
interface QueuedOps {
  ops: { version?: number }[];
}

function setLastVersion(transaction: Transaction, version: number): void {
  const queued = (transaction as unknown as QueuedOps).ops;
  const last = queued.at(-1);
  if (last === undefined || !('version' in last)) throw new Error('node-zookeeper-client changed: no version on the queued op');
  last.version = version;
}

/** The library's transaction holding `steps`, with every version as given (0 included). */
export function buildMulti(client: Client, steps: readonly MultiStep[]): Transaction {
  const transaction = client.transaction();
  for (const step of steps) {
    switch (step.op) {
      case 'check':
        setLastVersion(transaction.check(step.path, step.version), step.version);
        break;
      case 'setData':
        setLastVersion(transaction.setData(step.path, step.data, step.version), step.version);
        break;
      case 'create':
        transaction.create(step.path, step.data);
        break;
      case 'absent':
        transaction.create(step.path, Buffer.alloc(0));
        setLastVersion(transaction.remove(step.path, 0), 0);
        break;
    }
  }
  return transaction;
}

/** Commits `steps` atomically; rejects with the first failing op's exception (BAD_VERSION, NODE_EXISTS, …). */
export function commitMulti(client: Client, steps: readonly MultiStep[]): Promise<void> {
  return new Promise((resolve, reject) => {
    buildMulti(client, steps).commit((err) => (err === null || err === undefined ? resolve() : reject(err)));
  });
}
