import assert from 'node:assert/strict';
import { it } from 'node:test';
import { classifyError } from '../../src/runner/outcome.js';
import { run } from '../../src/cluster/node.js';
import { redis } from '../../src/systems/index.js';
import { connectRedis } from '../../src/systems/redis/server.js';
import { REDIS_PORT } from '../../src/systems/redis/config.js';
import { eventually } from './cluster-helpers.js';
import { call, capabilitySuite, registerOf } from './capabilities-suite.js';

capabilitySuite('redis', {
  ttl: { ttlMs: 1_500, freedWithinMs: 6_000 },
  extra(ctx) {
    it('a write that reaches a replica fails READONLY: a definite failure', async () => {
      const { cluster } = ctx.cluster();
      const primary = await redis.leader?.(cluster);
      const replica = cluster.nodes.find((n) => n.name !== primary?.name);
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
      const { cluster } = ctx.cluster();
      const old = await redis.leader?.(cluster);
      assert.ok(old !== undefined);
      const client = await ctx.open(cluster.nodes.indexOf(old));
      const reg = registerOf(client);
      await reg.write('swap', 1, call());
      const next = cluster.nodes.find((n) => n !== old);
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
