import { zookeeper } from '../../src/systems/index.js';
import { zookeeperDataTypes } from '../../src/systems/zookeeper/data-types.js';
import { node } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';

dataTypesSuite(
  'zookeeper',
  async (t, index, { readMode = 'sync', beforeCommit } = {}) => {
    const client = await zookeeper.connect(node(t, index), t.cluster);
    return { types: zookeeperDataTypes(client, { syncReads: readMode === 'sync', beforeCommit }), close: () => zookeeper.close(client) };
  },
  { readModes: ['sync', 'nosync'], conditionalCommit: true },
);
