import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { packageRoot } from '../../../src/version.js';

/** The example plugin's pure part (plain JS, so imported by URL with the types it promises). */
interface NatsConfig {
  renderNatsConf(self: { name: string; address: string }, members: readonly { name: string; address: string }[], clusterName: string): string;
  parseMeta(jsz: unknown): { leader: string | undefined; size: number };
  parseStreamLeader(jsz: unknown): string | undefined;
  parseStreamReplicas(jsz: unknown): { name: string; current: boolean }[] | undefined;
}
const config = (await import(pathToFileURL(join(packageRoot, 'examples', 'plugins', 'nats', 'config.js')).href)) as NatsConfig;

const members = [
  { name: 'n1', address: '10.0.0.11' },
  { name: 'n2', address: '10.0.0.12' },
  { name: 'n3', address: '10.0.0.13' },
];

describe('NATS example plugin: config and monitoring', () => {
  it('routes to every other node by address, with JetStream and its own name', () => {
    const conf = config.renderNatsConf(members[1]!, members, 'faultline-abc');
    assert.match(conf, /server_name: "n2"/);
    assert.match(conf, /jetstream \{/);
    assert.match(conf, /name: "faultline-abc"/);
    assert.match(conf, /advertise: "10\.0\.0\.12:6222"/);
    const routes = [...conf.matchAll(/nats-route:\/\/([\d.]+):6222/g)].map((m) => m[1]);
    assert.deepEqual(routes, ['10.0.0.11', '10.0.0.13']);
  });

  it('reads the meta leader and the KV stream from /jsz, and says when they are missing', () => {
    assert.deepEqual(config.parseMeta({ meta_cluster: { leader: 'n3', cluster_size: 3 } }), { leader: 'n3', size: 3 });
    assert.deepEqual(config.parseMeta({ meta_cluster: { leader: '', cluster_size: 3 } }), { leader: undefined, size: 3 });
    assert.deepEqual(config.parseMeta({}), { leader: undefined, size: 0 });
    const jsz = {
      account_details: [
        { stream_detail: [{ name: 'OTHER', cluster: { leader: 'n1' } }, { name: 'KV_faultline', cluster: { leader: 'n2', replicas: [{ name: 'n1', current: true }, { name: 'n3', current: false }] } }] },
      ],
    };
    assert.equal(config.parseStreamLeader(jsz), 'n2');
    assert.deepEqual(config.parseStreamReplicas(jsz), [{ name: 'n1', current: true }, { name: 'n3', current: false }]);
    assert.equal(config.parseStreamLeader({ account_details: [] }), undefined);
    assert.equal(config.parseStreamReplicas({}), undefined);
  });
});
