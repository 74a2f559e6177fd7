import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../../../src/history/event.js';
import { DefiniteFailure } from '../../../src/runner/outcome.js';
import { COUNTER_KEY, conditionalAdd, conditionalTxn, txnKey, type ConditionalStore } from '../../../src/systems/data-types.js';
import { BANK_ACCOUNTS, BANK_TOTAL, INITIAL_BALANCE, bankKey, conditionalBank } from '../../../src/systems/bank.js';
import { conditionalQueue } from '../../../src/systems/queue.js';

/**
 * A versioned in-memory store with the conditional-commit contract, to test the retry loop
 * shared by etcd, ZooKeeper and Consul (their real primitives are exercised in the
 * integration tests). `interfere` writes behind the caller's back between read and commit.
 */
class VersionedStore implements ConditionalStore<Map<string, number>> {
  readonly values = new Map<string, Json>();
  readonly versions = new Map<string, number>();
  commits = 0;
  constructor(
    readonly snapshotReads: boolean,
    private readonly interfere: (store: VersionedStore) => void = () => undefined,
  ) {}
  readonly beforeCommit = async (): Promise<void> => this.interfere(this);
  put(key: string, value: Json): void {
    this.values.set(key, value);
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
  }
  async read(keys: readonly string[]) {
    return { values: keys.map((k) => this.values.get(k) ?? null), seen: new Map(keys.map((k) => [k, this.versions.get(k) ?? 0])) };
  }
  async commit(seen: Map<string, number>, writes: ReadonlyMap<string, Json>) {
    this.commits++;
    if ([...seen].some(([k, v]) => (this.versions.get(k) ?? 0) !== v)) return false;
    for (const [k, v] of writes) this.put(k, v);
    return true;
  }
}

const call = () => ({ signal: AbortSignal.timeout(5_000) });

describe('conditional transactions and counters', () => {
  it('retry a commit that lost a race from a fresh read, so the interleaved write is neither lost nor hidden', async () => {
    let once = true;
    const store = new VersionedStore(false, (s) => {
      if (once) s.put(txnKey('x'), [...((s.values.get(txnKey('x')) as Json[] | undefined) ?? []), 'other']);
      once = false;
    });
    const done = await conditionalTxn(store).run([['r', 'x', null], ['append', 'x', 'mine']], call());
    assert.deepEqual(done, [['r', 'x', ['other']], ['append', 'x', 'mine']]);
    assert.deepEqual(store.values.get(txnKey('x')), ['other', 'mine']);
    assert.equal(store.commits, 2);
  });

  it('give up with a definite failure, nothing applied, when every round loses', async () => {
    const store = new VersionedStore(false, (s) => s.put(txnKey('y'), 'noise'));
    await assert.rejects(
      conditionalTxn(store).run([['append', 'x', 1], ['r', 'y', null]], call()),
      (err: unknown) => err instanceof DefiniteFailure && err.reason === 'contended',
    );
    assert.equal(store.values.get(txnKey('x')), undefined);
  });

  it('stop at the call\'s abort without another round', async () => {
    const controller = new AbortController();
    const store = new VersionedStore(false, (s) => {
      s.put(COUNTER_KEY, 100);
      controller.abort(new DOMException('timed out', 'TimeoutError'));
    });
    await assert.rejects(conditionalAdd(store, 1, { signal: controller.signal }), { name: 'TimeoutError' });
    assert.equal(store.commits, 1);
    assert.equal(store.values.get(COUNTER_KEY), 100);
  });

  it('answer a read-only transaction from a snapshot read without committing, and confirm it otherwise', async () => {
    for (const snapshotReads of [true, false]) {
      const store = new VersionedStore(snapshotReads);
      store.put(txnKey('x'), [1]);
      assert.deepEqual(await conditionalTxn(store).run([['r', 'x', null]], call()), [['r', 'x', [1]]]);
      assert.equal(store.commits, snapshotReads ? 0 : 1);
    }
  });

  it('count from absent, and refuse a counter that holds something else', async () => {
    const store = new VersionedStore(true);
    await conditionalAdd(store, 5, call());
    await conditionalAdd(store, -2, call());
    assert.equal(store.values.get(COUNTER_KEY), 3);
    store.put(COUNTER_KEY, 'x');
    await assert.rejects(conditionalAdd(store, 1, call()), /not an integer/);
    await assert.rejects(conditionalAdd(store, 0.5, call()), (err: unknown) => err instanceof DefiniteFailure);
  });
});

describe('the bank over a conditional store', () => {
  it('transfers move money atomically, refuse overdrafts with nothing applied, and reads see the whole total', async () => {
    const store = new VersionedStore(false);
    const bank = conditionalBank(store);
    assert.deepEqual(await bank.read(call()), Array(BANK_ACCOUNTS).fill(INITIAL_BALANCE));
    await bank.transfer(0, 1, 7, call());
    await assert.rejects(bank.transfer(0, 2, 4, call()), (err: unknown) => err instanceof DefiniteFailure && err.reason === 'insufficient-funds');
    const balances = (await bank.read(call())) as number[];
    assert.deepEqual(balances.slice(0, 3), [3, 17, 10]);
    assert.equal(balances.reduce((a, b) => a + b, 0), BANK_TOTAL);
    await assert.rejects(bank.transfer(1, 1, 1, call()), (err: unknown) => err instanceof DefiniteFailure && err.reason === 'invalid-transfer');
  });

  it('a transfer that lost a race runs again from fresh balances, so no concurrent transfer is overwritten', async () => {
    let once = true;
    const store = new VersionedStore(false, (s) => {
      if (once) s.put(bankKey(0), 4);
      once = false;
    });
    await conditionalBank(store).transfer(0, 1, 3, call());
    assert.equal(store.values.get(bankKey(0)), 1);
    assert.equal(store.commits, 2);
  });
});

describe('the queue over a conditional store', () => {
  it('is FIFO: dequeue takes the head, drain takes the rest at once, an empty queue dequeues null', async () => {
    const queue = conditionalQueue(new VersionedStore(false));
    await queue.enqueue(1, call());
    await queue.enqueue('two', call());
    await queue.enqueue(3, call());
    assert.equal(await queue.dequeue(call()), 1);
    assert.deepEqual(await queue.drain(call()), ['two', 3]);
    assert.equal(await queue.dequeue(call()), null);
    assert.deepEqual(await queue.drain(call()), []);
  });
});
