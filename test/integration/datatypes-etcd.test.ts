import { closeEtcd, connectEtcd } from '../../src/systems/etcd/server.js';
import { etcdDataTypes } from '../../src/systems/etcd/data-types.js';
import { node } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';

dataTypesSuite(
  'etcd',
  async (t, index, { readMode = 'linearizable', beforeCommit } = {}) => {
    const client = await connectEtcd(node(t, index));
    return { types: etcdDataTypes(client, { readMode, callTimeoutMs: 5_000, beforeCommit }), close: () => closeEtcd(client) };
  },
  { readModes: ['linearizable', 'serializable'], conditionalCommit: true },
);
