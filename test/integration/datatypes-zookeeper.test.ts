import { closeZookeeper, connectZookeeper } from '../../src/systems/zookeeper/server.js';
import { zookeeperDataTypes } from '../../src/systems/zookeeper/data-types.js';
import { node } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';

dataTypesSuite(
  'zookeeper',
  async (t, index, { readMode = 'sync', beforeCommit } = {}) => {
    const client = await connectZookeeper(node(t, index));
    return { types: zookeeperDataTypes(client, { syncReads: readMode === 'sync', beforeCommit }), close: () => closeZookeeper(client) };
  },
  { readModes: ['sync', 'nosync'], conditionalCommit: true },
);
