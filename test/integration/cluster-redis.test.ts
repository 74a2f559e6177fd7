import assert from 'node:assert/strict';
import { redis } from '../../src/systems/index.js';
import { closeRedis, connectRedis } from '../../src/systems/redis/server.js';
import { describeCluster } from './cluster-helpers.js';

describeCluster(redis, { connect: connectRedis, close: closeRedis }, 'n1 primary with two online replicas', {
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
