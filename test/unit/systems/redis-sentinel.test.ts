import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSentinelConfig, sentinelHealth } from '../../../src/systems/redis/config.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';
import { planRun } from '../../../src/execute/plan.js';
import { WaitShortfall, classifyRedisError } from '../../../src/systems/redis/capabilities.js';

describe('redis sentinel config', () => {
  it('monitors the primary with a quorum of 2 and test-sized timings', () => {
    const text = renderSentinelConfig({ primary: '10.0.0.11' });
    assert.match(text, /^sentinel monitor mymaster 10\.0\.0\.11 6379 2$/m);
    assert.match(text, /^sentinel down-after-milliseconds mymaster 3000$/m);
    assert.match(text, /^sentinel failover-timeout mymaster 10000$/m);
    assert.match(text, /^port 26379$/m);
    assert.match(text, /^daemonize no$/m);
    assert.ok(text.endsWith('\n'));
  });

  it('is healthy only when it sees the other sentinels, every replica, and the master up', () => {
    const reply = (others: string, replicas: string, flags: string): string[] => [
      'name', 'mymaster', 'flags', flags, 'num-slaves', replicas, 'num-other-sentinels', others,
    ];
    assert.equal(sentinelHealth(reply('2', '2', 'master'), 2, 2).ok, true);
    assert.equal(sentinelHealth(reply('1', '2', 'master'), 2, 2).ok, false);
    const noReplicas = sentinelHealth(reply('2', '0', 'master'), 2, 2);
    assert.equal(noReplicas.ok, false);
    assert.match(noReplicas.detail, /0 replicas of 2/);
    assert.equal(sentinelHealth(reply('2', '2', 's_down,master'), 2, 2).ok, false);
    assert.equal(sentinelHealth(['ERR No such master with that name'], 2, 2).ok, false);
  });

  it('is a Redis-only option that wraps the redis system', async () => {
    const plan = await planRun(parseTestSpec({ system: 'redis', workload: 'register', systemOptions: { sentinel: true }, seed: 1 }));
    assert.ok(plan.system.logFiles?.some((f) => f.endsWith('sentinel.log')));
    assert.throws(() => parseTestSpec({ system: 'etcd', workload: 'register', systemOptions: { sentinel: true }, seed: 1 }), /etcd has no option "sentinel"/);
  });
});

describe('redis WAIT', () => {
  it('fewer acknowledgements than asked make the write unknown, not failed', () => {
    assert.deepEqual(classifyRedisError(new WaitShortfall(1, 2)), { type: 'info', error: 'WAIT: 1 of 2 replicas acknowledged' });
  });

  it('is a Redis-only option below the number of nodes', () => {
    assert.equal(parseTestSpec({ system: 'redis', workload: 'register', systemOptions: { wait: 2 }, seed: 1 }).systemOptions['wait'], 2);
    assert.throws(() => parseTestSpec({ system: 'redis', workload: 'register', systemOptions: { wait: 3 }, seed: 1 }), /systemOptions\.wait/);
    assert.throws(() => parseTestSpec({ system: 'consul', workload: 'register', systemOptions: { wait: 1 }, seed: 1 }), /consul has no option "wait"/);
  });
});
