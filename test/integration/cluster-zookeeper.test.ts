import assert from 'node:assert/strict';
import type { Client } from 'node-zookeeper-client';
import { zookeeper } from '../../src/systems/index.js';
import { closeZookeeper, connectZookeeper } from '../../src/systems/zookeeper/server.js';
import { describeCluster, eventually } from './cluster-helpers.js';

function create(client: Client, path: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => client.create(path, Buffer.from(data), (err) => (err ? reject(err) : resolve())));
}

function getData(client: Client, path: string): Promise<string> {
  return new Promise((resolve, reject) => client.getData(path, (err, data) => (err ? reject(err) : resolve(data?.toString() ?? ''))));
}

describeCluster(zookeeper, { connect: connectZookeeper, close: closeZookeeper }, 'one leader and two followers', {
  title: 'reads back through n2 what was created through n1',
  async run(_t, open) {
    const a = await open(0);
    const b = await open(1);
    const value = `v-${Date.now()}`;
    await create(a, '/faultline-it', value);
    // A follower may apply the commit a moment after the leader acknowledged it.
    assert.equal(await eventually(() => getData(b, '/faultline-it'), (v) => v === value), value);
  },
});
