import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Client } from 'node-zookeeper-client';
import { zookeeper } from '../../src/systems/index.js';
import { closeZookeeper, connectZookeeper } from '../../src/systems/zookeeper/server.js';
import { zookeeperDataTypes } from '../../src/systems/zookeeper/data-types.js';
import { describeCluster, eventually, node, systemSuite } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';
import { call, capabilitySuite, lockOf } from './capabilities-suite.js';

function create(client: Client, path: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => client.create(path, Buffer.from(data), (err) => (err ? reject(err) : resolve())));
}

function getData(client: Client, path: string): Promise<string> {
  return new Promise((resolve, reject) => client.getData(path, (err, data) => (err ? reject(err) : resolve(data?.toString() ?? ''))));
}

// One cluster bring-up for the system's cluster, data-type and capability checks (systemSuite):
// cluster checks first (they assert the fresh cluster's shape), capabilities last, then `cluster down`.
systemSuite('zookeeper', (cluster) => {
  describeCluster(zookeeper, cluster, { connect: connectZookeeper, close: closeZookeeper }, 'one leader and two followers', {
    title: 'reads back through n2 what was created through n1',
    async run(_t, open) {
      const a = await open(0);
      const b = await open(1);
      const value = `v-${Date.now()}`;
      await create(a, '/faultline-it', value);
      // A follower may apply the commit a moment after the leader acknowledged it.
      assert.equal(await eventually(() => getData(b, '/faultline-it'), (v) => v === value), value);
    },
  });

  dataTypesSuite(
    'zookeeper',
    cluster,
    async (t, index, { readMode = 'sync', beforeCommit } = {}) => {
      const client = await connectZookeeper(node(t, index));
      return { types: zookeeperDataTypes(client, { syncReads: readMode === 'sync', beforeCommit }), close: () => closeZookeeper(client) };
    },
    { readModes: ['sync', 'nosync'], conditionalCommit: true },
  );

  // A live ZooKeeper client keeps its session (and so its lock) alive: the TTL (the session
  // timeout) frees a lock only when its holder stops heartbeating, as when its server is paused.
  capabilitySuite('zookeeper', cluster, {
    extra(ctx) {
      it('lock: the session timeout (TTL) frees the lock of a holder whose server froze', async () => {
        const { cluster: c } = ctx.cluster();
        const leader = await zookeeper.leader?.(c);
        const followers = c.nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.name !== leader?.name);
        const [holderAt, waiterAt] = followers;
        assert.ok(leader !== undefined && holderAt !== undefined && waiterAt !== undefined);
        const holder = lockOf(await ctx.open(holderAt.i));
        const waiter = lockOf(await ctx.open(waiterAt.i));
        const name = `frozen-${Date.now()}`;
        const { token } = await holder.acquire(name, 4_000, call());
        const waiting = waiter.acquire(name, 4_000, call(25_000));
        await zookeeper.pause?.(holderAt.n);
        try {
          const started = Date.now();
          const { token: token2 } = await waiting;
          assert.notEqual(token2, token);
          assert.ok(Date.now() - started >= 2_000, 'the lock was free long before the session timeout');
          assert.equal(await waiter.release(name, token2, call()), 'released');
        } finally {
          await zookeeper.resume?.(holderAt.n);
        }
      });
    },
  });
});
