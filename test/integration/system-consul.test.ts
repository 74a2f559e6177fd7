import assert from 'node:assert/strict';
import { consul } from '../../src/systems/index.js';
import { closeConsul, connectConsul } from '../../src/systems/consul/server.js';
import { consulDataTypes } from '../../src/systems/consul/data-types.js';
import { describeCluster, node, systemSuite } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';
import { capabilitySuite } from './capabilities-suite.js';

// One cluster bring-up for the system's cluster, data-type and capability checks (systemSuite):
// cluster checks first (they assert the fresh cluster's shape), capabilities last, then `cluster down`.
systemSuite('consul', (cluster) => {
  describeCluster(consul, cluster, { connect: connectConsul, close: closeConsul }, 'three raft peers and a leader', {
    title: 'reads back through n3 what was set through n1',
    async run(_t, open) {
      const a = await open(0);
      const b = await open(2);
      const value = `v-${Date.now()}`;
      assert.equal(await a.kv.set('faultline/it', value), true);
      // Default consistency: n3 forwards the read to the leader.
      assert.equal((await b.kv.get('faultline/it'))?.Value, value);
      assert.equal(await b.kv.get('faultline/absent'), undefined);
    },
  });

  dataTypesSuite(
    'consul',
    cluster,
    async (t, index, { readMode = 'default', beforeCommit } = {}) => {
      const client = await connectConsul(node(t, index));
      return { types: consulDataTypes(client, { readMode, beforeCommit }), close: () => closeConsul(client) };
    },
    { readModes: ['default', 'consistent', 'stale'], conditionalCommit: true },
  );

  // Consul's minimum session TTL is 10 s, and it may take up to twice the TTL (plus the lock
  // delay) to invalidate an expired session.
  capabilitySuite('consul', cluster, { ttl: { ttlMs: 10_000, freedWithinMs: 25_000 } });
});
