import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connectRedis } from '../../src/systems/redis/server.js';
import { redisDataTypes } from '../../src/systems/redis/data-types.js';
import { node } from './cluster-helpers.js';
import { call, dataTypesSuite } from './datatypes-suite.js';

/** n1 is the primary: writes and transactions go there; reads go to the routed node in the `replica` mode. */
dataTypesSuite(
  'redis',
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
        assert.deepEqual(await a.run([['w', s, 5], ['r', s, null]], call()), [['w', s, 5], ['r', s, 5]]);
        await assert.rejects(a.run([['append', l, 1], ['append', s, 2]], call()), /WRONGTYPE/);
        assert.deepEqual(await a.run([['r', l, null], ['r', s, null]], call()), [['r', l, null], ['r', s, 5]]);
        assert.deepEqual(await a.run([['w', s, [1, 2]], ['append', s, 3], ['r', s, null]], call()), [['w', s, [1, 2]], ['append', s, 3], ['r', s, [1, 2, 3]]]);
      });
    },
  },
);
