import assert from 'node:assert/strict';
import { it } from 'node:test';
import { zookeeper } from '../../src/systems/index.js';
import { call, capabilitySuite, lockOf } from './capabilities-suite.js';

// A live ZooKeeper client keeps its session (and so its lock) alive: the TTL (the session
// timeout) frees a lock only when its holder stops heartbeating, as when its server is paused.
capabilitySuite('zookeeper', {
  extra(ctx) {
    it('lock: the session timeout (TTL) frees the lock of a holder whose server froze', async () => {
      const { cluster } = ctx.cluster();
      const leader = await zookeeper.leader?.(cluster);
      const followers = cluster.nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.name !== leader?.name);
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
