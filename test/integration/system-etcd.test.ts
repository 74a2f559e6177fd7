import assert from 'node:assert/strict';
import { etcd } from '../../src/systems/index.js';
import { closeEtcd, connectEtcd } from '../../src/systems/etcd/server.js';
import { etcdDataTypes } from '../../src/systems/etcd/data-types.js';
import { describeCluster, node, systemSuite } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';
import { capabilitySuite } from './capabilities-suite.js';

// One cluster bring-up for the system's cluster, data-type and capability checks (systemSuite):
// cluster checks first (they assert the fresh cluster's shape), capabilities last, then `cluster down`.
systemSuite('etcd', (cluster) => {
  describeCluster(etcd, cluster, { connect: connectEtcd, close: closeEtcd }, 'three members and one leader', {
    title: 'reads back through n2 (linearizable get) what was put through n1',
    async run(_t, open) {
      const a = await open(0);
      const b = await open(1);
      const value = `v-${Date.now()}`;
      await a.put('faultline/it').value(value);
      assert.equal(await b.get('faultline/it').string(), value);
      assert.equal(await b.get('faultline/absent').string(), null);
    },
  });

  dataTypesSuite(
    'etcd',
    cluster,
    async (t, index, { readMode = 'linearizable', beforeCommit } = {}) => {
      const client = await connectEtcd(node(t, index));
      return { types: etcdDataTypes(client, { readMode, callTimeoutMs: 5_000, beforeCommit }), close: () => closeEtcd(client) };
    },
    { readModes: ['linearizable', 'serializable'], conditionalCommit: true },
  );

  // etcd leases shorter than ~1.5 s are raised by the server to 2 s.
  capabilitySuite('etcd', cluster, { ttl: { ttlMs: 2_000, freedWithinMs: 8_000 } });
});
