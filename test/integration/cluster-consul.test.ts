import assert from 'node:assert/strict';
import { consul } from '../../src/systems/index.js';
import { closeConsul, connectConsul } from '../../src/systems/consul/server.js';
import { describeCluster } from './cluster-helpers.js';

describeCluster(consul, { connect: connectConsul, close: closeConsul }, 'three raft peers and a leader', {
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
