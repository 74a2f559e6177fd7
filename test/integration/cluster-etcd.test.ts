import assert from 'node:assert/strict';
import { etcd } from '../../src/systems/index.js';
import { closeEtcd, connectEtcd } from '../../src/systems/etcd/server.js';
import { describeCluster } from './cluster-helpers.js';

describeCluster(etcd, { connect: connectEtcd, close: closeEtcd }, 'three members and one leader', {
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
