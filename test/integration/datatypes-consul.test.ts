import { closeConsul, connectConsul } from '../../src/systems/consul/server.js';
import { consulDataTypes } from '../../src/systems/consul/data-types.js';
import { node } from './cluster-helpers.js';
import { dataTypesSuite } from './datatypes-suite.js';

dataTypesSuite(
  'consul',
  async (t, index, { readMode = 'default', beforeCommit } = {}) => {
    const client = await connectConsul(node(t, index));
    return { types: consulDataTypes(client, { readMode, beforeCommit }), close: () => closeConsul(client) };
  },
  { readModes: ['default', 'consistent', 'stale'], conditionalCommit: true },
);
