import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Json } from '../../src/history/event.js';
import type { CounterCapability, MicroOp, SetCapability, TxnCapability } from '../../src/runner/capabilities.js';
import { DefiniteFailure } from '../../src/runner/outcome.js';
import { builtinSystem } from '../../src/systems/index.js';
import { eventually, node, type TestCluster } from './cluster-helpers.js';

/**
 * The set, txn and counter contract against a real 3-node cluster (systemSuite's, shared with
 * the system's other checks: keys are fresh, the counter is read before it is changed), through
 * two clients on different nodes. `open` builds a system's data-type capabilities on node `index` with the
 * chosen read mode and (where the system reads before it commits) a hook run between a
 * transaction's read and its commit.
 */
export interface DataTypes {
  readonly set: SetCapability;
  readonly txn: TxnCapability;
  readonly counter: CounterCapability;
}

export interface OpenOptions {
  readonly readMode?: string;
  readonly beforeCommit?: () => Promise<void>;
}

export type Open = (t: TestCluster, index: number, options?: OpenOptions) => Promise<{ types: DataTypes; close(): Promise<void> }>;

export interface DataTypesSuiteOptions {
  readonly readModes: readonly string[];
  /** Whether commits are conditional on a prior read (every system but Redis, whose script has no gap). */
  readonly conditionalCommit: boolean;
  readonly extra?: (ctx: { open(index: number, options?: OpenOptions): Promise<DataTypes> }) => void;
}

export const call = () => ({ signal: AbortSignal.timeout(10_000) });

const sorted = (values: readonly Json[]): string[] => values.map((v) => JSON.stringify(v)).sort();

export function dataTypesSuite(systemName: string, cluster: () => TestCluster, open: Open, options: DataTypesSuiteOptions): void {
  let keys = 0;
  const fresh = (name: string) => `${name}-${process.pid}-${++keys}`;

  describe(`${systemName}: set, txn and counter on a real 3-node cluster`, { timeout: 240_000 }, () => {
    const closers: (() => Promise<void>)[] = [];
    const ctx = {
      async open(index: number, openOptions?: OpenOptions): Promise<DataTypes> {
        const opened = await open(cluster(), index, openOptions);
        closers.push(() => opened.close());
        return opened.types;
      },
    };

    after(async () => {
      await Promise.all(closers.map((close) => close().catch(() => undefined)));
    });

    it('txn: appends from two nodes read back in order; a read sees its own transaction', async () => {
      const a = (await ctx.open(0)).txn;
      const b = (await ctx.open(1)).txn;
      const [x, y] = [fresh('x'), fresh('y')];
      assert.deepEqual(await a.run([['r', x, null]], call()), [['r', x, null]], 'an absent key reads null');
      assert.deepEqual(await a.run([['append', x, 1], ['append', y, 1]], call()), [['append', x, 1], ['append', y, 1]]);
      assert.deepEqual(
        await b.run([['append', x, 2], ['r', x, null], ['r', y, null]], call()),
        [['append', x, 2], ['r', x, [1, 2]], ['r', y, [1]]],
      );
      assert.deepEqual(await a.run([['r', x, null], ['append', y, 'two'], ['r', y, null]], call()), [
        ['r', x, [1, 2]],
        ['append', y, 'two'],
        ['r', y, [1, 'two']],
      ]);
    });

    it('txn: concurrent appends to one key from two nodes are each applied once, atomically with their reads', async () => {
      const a = (await ctx.open(0)).txn;
      const b = (await ctx.open(1)).txn;
      const k = fresh('hot');
      const runs = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).run([['append', k, i], ['r', k, null]], call()));
      const reads = (await Promise.all(runs)).map((ops) => ops[1]?.[2]);
      const [final] = await a.run([['r', k, null]], call());
      const list = final?.[2];
      assert.ok(Array.isArray(list));
      assert.deepEqual([...list].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
      for (const [i, read] of reads.entries()) {
        // Each transaction's read is the list as of its own append: a prefix of the final list ending in it.
        assert.ok(Array.isArray(read), `txn ${i} read ${JSON.stringify(read)}`);
        assert.equal(read.at(-1), i);
        assert.deepEqual(read, list.slice(0, read.length));
      }
    });

    if (options.conditionalCommit) {
      it('txn: a write between read and commit on a fresh (version 0) key is not lost: the commit is refused and retried', async () => {
        const b = (await ctx.open(1)).txn;
        const k = fresh('race');
        await b.run([['append', k, 'first']], call());
        let interleaved = 0;
        const a = (await ctx.open(0, {
          beforeCommit: async () => {
            if (interleaved++ === 0) await b.run([['append', k, 'between']], call());
          },
        })).txn;
        const done = await a.run([['r', k, null], ['append', k, 'mine']], call());
        assert.equal(interleaved, 2, 'the first commit must have been refused and the transaction run again');
        assert.deepEqual(done, [['r', k, ['first', 'between']], ['append', k, 'mine']]);
        assert.deepEqual(await b.run([['r', k, null]], call()), [['r', k, ['first', 'between', 'mine']]]);
      });

      it('txn: a read-only transaction is confirmed at commit, and one that always loses its race fails definitely, applying nothing', async () => {
        const b = (await ctx.open(1)).txn;
        const k = fresh('lose');
        await b.run([['append', k, 0]], call());
        let n = 0;
        let interleave = 1;
        const a = (await ctx.open(0, {
          beforeCommit: async () => {
            if (interleave-- > 0) await b.run([['append', k, ++n]], call());
          },
        })).txn;
        const [read] = await a.run([['r', k, null], ['r', fresh('absent'), null]], call());
        // Systems that commit a read-only txn's checks ran the hook (one append) before answering.
        assert.deepEqual(read, ['r', k, [0, ...Array.from({ length: n }, (_, i) => i + 1)]], 'a read-only txn must see every write made before it answered');
        interleave = Infinity;
        const before = n;
        await assert.rejects(a.run([['append', k, 'never']], call()), (err: unknown) => err instanceof DefiniteFailure && err.reason === 'contended');
        assert.ok(n - before >= 10, `only ${n - before} rounds were tried`);
        const [final] = await b.run([['r', k, null]], call());
        assert.ok(Array.isArray(final?.[2]) && !final[2].includes('never'), `a failed txn left ${JSON.stringify(final)}`);
      });

      it('counter: an increment that races another is retried, and both count', async () => {
        const b = (await ctx.open(1)).counter;
        const start = await b.read(call());
        let raced = false;
        const a = (await ctx.open(0, {
          beforeCommit: async () => {
            if (!raced) {
              raced = true;
              await b.add(100, call());
            }
          },
        })).counter;
        await a.add(5, call());
        assert.equal(await b.read(call()), start + 105);
      });
    }

    it('txn: malformed micro-ops fail definitely before anything is sent', async () => {
      const a = (await ctx.open(0)).txn;
      await assert.rejects(a.run([], call()), DefiniteFailure);
      await assert.rejects(a.run([['incr', 'k', 1] as unknown as MicroOp], call()), DefiniteFailure);
    });

    it('set: elements added on two nodes are all read back on both; adding a member again is harmless', async () => {
      const a = (await ctx.open(0)).set;
      const b = (await ctx.open(1)).set;
      const elements: Json[] = [1, 2, 3, '1', 'a/b c%', 10, 11, 12];
      await Promise.all(elements.map((e, i) => (i % 2 === 0 ? a : b).add(e, call())));
      await a.add(1, call());
      assert.deepEqual(sorted(await a.read(call())), sorted(elements));
      assert.deepEqual(sorted(await b.read(call())), sorted(elements));
      for (const readMode of options.readModes) {
        const reader = (await ctx.open(2, { readMode })).set;
        // Non-linearizable modes may lag a moment behind the writes.
        await eventually(() => reader.read(call()), (read) => sorted(read).join() === sorted(elements).join());
      }
    });

    it('counter: concurrent increments from two nodes all count; every read mode reads it', async () => {
      const a = (await ctx.open(0)).counter;
      const b = (await ctx.open(1)).counter;
      const start = await a.read(call());
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).add(i === 0 ? -3 : 2, call())));
      assert.equal(await b.read(call()), start + 15);
      for (const readMode of options.readModes) {
        const reader = (await ctx.open(2, { readMode })).counter;
        await eventually(() => reader.read(call()), (n) => n === start + 15);
      }
    });

    it('the system\'s capability client (as the runner opens it) offers set, txn and counter on the same data', async () => {
      const provider = builtinSystem(systemName).client;
      for (const name of ['set', 'txn', 'counter'] as const) assert.ok(provider.capabilities.includes(name), name);
      const t = cluster();
      const client = await provider.open(t.cluster, node(t, 1), { callTimeoutMs: 5_000 });
      closers.push(() => client.close());
      const { set, txn, counter } = client.capabilities;
      assert.ok(set !== undefined && txn !== undefined && counter !== undefined);
      const direct = await ctx.open(0);
      const k = fresh('wired');
      await direct.txn.run([['append', k, 1]], call());
      assert.deepEqual(await txn.run([['append', k, 2], ['r', k, null]], call()), [['append', k, 2], ['r', k, [1, 2]]]);
      await set.add('wired', call());
      assert.ok((await direct.set.read(call())).includes('wired'));
      const before = await direct.counter.read(call());
      await counter.add(7, call());
      assert.equal(await counter.read(call()), before + 7);
    });

    options.extra?.(ctx);
  });
}
