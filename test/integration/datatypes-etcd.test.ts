import { etcd } from '../../src/systems/etcd/index.js';
import { etcdDataTypes } from '../../src/systems/etcd/data-types.js';
import { node } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';

dataTypesSuite(
  'etcd',
  async (t, index, { readMode = 'linearizable', beforeCommit } = {}) => {
    const client = await etcd.connect(node(t, index), t.cluster);
    return { types: etcdDataTypes(client, { readMode, callTimeoutMs: 5_000, beforeCommit }), close: () => etcd.close(client) };
  },
  { readModes: ['linearizable', 'serializable'], conditionalCommit: true },
);
