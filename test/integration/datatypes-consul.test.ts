import { consul } from '../../src/systems/consul/index.js';
import { consulDataTypes } from '../../src/systems/consul/data-types.js';
import { node } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';

dataTypesSuite(
  'consul',
  async (t, index, { readMode = 'default', beforeCommit } = {}) => {
    const client = await consul.connect(node(t, index), t.cluster);
    return { types: consulDataTypes(client, { readMode, beforeCommit }), close: () => consul.close(client) };
  },
  { readModes: ['default', 'consistent', 'stale'], conditionalCommit: true },
);
