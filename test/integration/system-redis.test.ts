import assert from 'node:assert/strict';
import { it } from 'node:test';
import { run } from '../../src/cluster/node.js';
import { classifyError } from '../../src/runner/outcome.js';
import { redis } from '../../src/systems/index.js';
import { REDIS_PORT } from '../../src/systems/redis/config.js';
import { redisDataTypes } from '../../src/systems/redis/data-types.js';
import { closeRedis, connectRedis } from '../../src/systems/redis/server.js';
import { call, capabilitySuite, registerOf } from './capabilities-suite.js';
import { describeCluster, eventually, node, systemSuite } from './cluster-helpers.js';
import { call as dataCall, dataTypesSuite } from './datatypes-suite.js';

// One cluster bring-up for the system's cluster, data-type and capability checks (systemSuite):
// cluster checks first (they assert the fresh cluster's shape), capabilities last (Redis's swaps
// the primary by hand: last), then `cluster down`.
systemSuite('redis', (cluster) => {
  describeCluster(redis, cluster, { connect: connectRedis, close: closeRedis }, 'n1 primary with two online replicas', {
    title: 'reads back on a replica, after WAIT, what was written on the primary; the replica refuses writes',
    async run(t, open) {
      assert.equal((await redis.leader?.(t.cluster))?.name, 'n1');
      const primary = await open(0);
      const replica = await open(2);
      const value = `v-${Date.now()}`;
      assert.equal(await primary.set('faultline:it', value), 'OK');
      assert.equal(await primary.wait(2, 5_000), 2);
      assert.equal(await replica.get('faultline:it'), value);
      await assert.rejects(replica.set('faultline:it', 'x'), /READONLY/);
    },
  });

  /** n1 is the primary: writes and transactions go there; reads go to the routed node in the `replica` mode. */
  dataTypesSuite(
    'redis',
    cluster,
    async (t, index, { readMode = 'primary' } = {}) => {
      const primary = await connectRedis(node(t, 0));
      const reader = readMode === 'replica' ? await connectRedis(node(t, index)) : primary;
      return {
        types: redisDataTypes((act) => act(primary), readMode === 'replica' ? reader : undefined),
        close: async () => {
          primary.disconnect();
          reader.disconnect();
        },
      };
    },
    {
      readModes: ['primary', 'replica'],
      conditionalCommit: false,
      extra(ctx) {
        it('txn: an append to a key holding a string is refused before any of the transaction is written', async () => {
          const a = (await ctx.open(0)).txn;
          const [s, l] = [`str-${process.pid}`, `list-${process.pid}`];
          assert.deepEqual(await a.run([['w', s, 5], ['r', s, null]], dataCall()), [['w', s, 5], ['r', s, 5]]);
          await assert.rejects(a.run([['append', l, 1], ['append', s, 2]], dataCall()), /WRONGTYPE/);
          assert.deepEqual(await a.run([['r', l, null], ['r', s, null]], dataCall()), [['r', l, null], ['r', s, 5]]);
          assert.deepEqual(await a.run([['w', s, [1, 2]], ['append', s, 3], ['r', s, null]], dataCall()), [['w', s, [1, 2]], ['append', s, 3], ['r', s, [1, 2, 3]]]);
        });
      },
    },
  );

  capabilitySuite('redis', cluster, {
    ttl: { ttlMs: 1_500, freedWithinMs: 6_000 },
    extra(ctx) {
      it('a write that reaches a replica fails READONLY: a definite failure', async () => {
        const { cluster: c } = ctx.cluster();
        const primary = await redis.leader?.(c);
        const replica = c.nodes.find((n) => n.name !== primary?.name);
        assert.ok(primary !== undefined && replica !== undefined);
        const client = await connectRedis(replica);
        try {
          const err = await client.set('faultline/register/readonly', '1').then(() => undefined, (e: unknown) => e);
          assert.ok(err !== undefined, 'a replica accepted a write');
          const { classifiers } = await ctx.open(0);
          assert.deepEqual(classifyError(err, classifiers), { type: 'fail', error: 'readonly' });
        } finally {
          client.disconnect();
        }
      });

      // Last: it swaps the primary by hand (no sentinels run here).
      it('after the primary changes, one write fails READONLY and the next goes to the new primary', async () => {
        const { cluster: c } = ctx.cluster();
        const old = await redis.leader?.(c);
        assert.ok(old !== undefined);
        const client = await ctx.open(c.nodes.indexOf(old));
        const reg = registerOf(client);
        await reg.write('swap', 1, call());
        const next = c.nodes.find((n) => n !== old);
        assert.ok(next !== undefined);
        await run(next, ['redis-cli', '-p', String(REDIS_PORT), 'replicaof', 'no', 'one']);
        await run(old, ['redis-cli', '-p', String(REDIS_PORT), 'replicaof', next.address, String(REDIS_PORT)]);
        const err = await reg.write('swap', 2, call()).then(() => undefined, (e: unknown) => e);
        assert.deepEqual(classifyError(err, client.classifiers), { type: 'fail', error: 'readonly' });
        await reg.write('swap', 3, call());
        assert.equal(await eventually(() => reg.read('swap', call()), (v) => v === 3), 3);
        const direct = await connectRedis(next);
        try {
          assert.equal(await direct.get('faultline/register/swap'), '3', 'the write went to the new primary');
        } finally {
          direct.disconnect();
        }
      });
    },
  });
});
