import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLeader, parsePeers, renderConsulConfig } from '../../../src/systems/consul/config.js';
import { etcdArgv, parseEndpointStatus, parseMemberCount } from '../../../src/systems/etcd/config.js';
import { parseInfo, primaryHealth, renderRedisConfig } from '../../../src/systems/redis/config.js';
import { parseMode, quorumHealth, renderZooCfg, ZK_HEAP, zkArgv } from '../../../src/systems/zookeeper/config.js';

const members = [
  { name: 'n1', address: '10.213.7.11' },
  { name: 'n2', address: '10.213.7.12' },
  { name: 'n3', address: '10.213.7.13' },
];

describe('redis config', () => {
  it('makes the primary a foreground server reachable from other nodes, replicating at once', () => {
    const conf = renderRedisConfig({});
    for (const line of ['bind 0.0.0.0', 'protected-mode no', 'daemonize no', 'repl-diskless-sync-delay 0']) {
      assert.ok(conf.split('\n').includes(line), `missing "${line}"`);
    }
    assert.doesNotMatch(conf, /replicaof/);
  });

  it('persists nothing by default; --redis-appendfsync turns the append-only file on with that fsync policy', () => {
    assert.match(renderRedisConfig({}), /^appendonly no$/m);
    const conf = renderRedisConfig({ appendfsync: 'everysec' });
    assert.match(conf, /^appendonly yes$/m);
    assert.match(conf, /^appendfsync everysec$/m);
  });

  it('points replicas at the primary address', () => {
    assert.match(renderRedisConfig({ primary: '10.213.7.11' }), /^replicaof 10\.213\.7\.11 6379$/m);
  });

  it('is healthy only with every replica connected and online', () => {
    const info = (slaves: string[]): Map<string, string> =>
      parseInfo(['# Replication', 'role:master', `connected_slaves:${slaves.length}`, ...slaves.map((s, i) => `slave${i}:ip=x,port=6379,state=${s},offset=1,lag=0`)].join('\r\n'));
    assert.equal(primaryHealth(info(['online', 'online']), 2).ok, true);
    assert.equal(primaryHealth(info(['online', 'wait_bgsave']), 2).ok, false);
    assert.equal(primaryHealth(info(['online']), 2).ok, false);
    assert.equal(primaryHealth(parseInfo('role:slave\r\nmaster_link_status:up'), 0).ok, false);
  });
});

describe('zookeeper config', () => {
  it('lists every server by address and whitelists the four-letter words the health check uses', () => {
    const cfg = renderZooCfg(members.map((m) => m.address));
    assert.match(cfg, /^server\.1=10\.213\.7\.11:2888:3888:participant;2181$/m);
    assert.match(cfg, /^server\.3=10\.213\.7\.13:2888:3888:participant;2181$/m);
    assert.match(cfg, /^reconfigEnabled=true$/m);
    assert.match(cfg, /^4lw\.commands\.whitelist=.*\bsrvr\b/m);
    assert.match(cfg, /^admin\.enableServer=false$/m);
  });

  it('bounds the JVM heap and puts a logging binding on the classpath', () => {
    const argv = zkArgv();
    assert.ok(argv.includes(ZK_HEAP));
    assert.match(ZK_HEAP, /^-Xmx([1-4]\d\d|512)m$/);
    assert.match(argv[argv.indexOf('-cp') + 1] ?? '', /slf4j-log4j12\.jar.*log4j-1\.2\.jar/);
  });

  it('reads the mode and wants exactly one leader and N-1 followers', () => {
    assert.equal(parseMode('Zookeeper version: 3.8.0\nMode: follower\nNode count: 5\n'), 'follower');
    assert.equal(parseMode('This ZooKeeper instance is not currently serving requests\n'), undefined);
    assert.deepEqual(quorumHealth(['follower', 'leader', 'follower']), { ok: true, firstBad: undefined });
    assert.deepEqual(quorumHealth(['follower', undefined, 'leader']), { ok: false, firstBad: 1 });
    assert.equal(quorumHealth(['leader', 'leader', 'follower']).ok, false);
    assert.equal(quorumHealth(['follower', 'follower', 'follower']).ok, false);
    assert.equal(quorumHealth(['standalone']).ok, true);
  });
});

describe('etcd config', () => {
  it('advertises addresses, never names, and lists every member', () => {
    const argv = etcdArgv(members[1] ?? members[0]!, members, 'tok');
    const flag = (name: string): string | undefined => argv[argv.indexOf(name) + 1];
    assert.equal(flag('--name'), 'n2');
    assert.equal(flag('--advertise-client-urls'), 'http://10.213.7.12:2379');
    assert.equal(flag('--initial-advertise-peer-urls'), 'http://10.213.7.12:2380');
    assert.equal(flag('--initial-cluster'), 'n1=http://10.213.7.11:2380,n2=http://10.213.7.12:2380,n3=http://10.213.7.13:2380');
    assert.equal(flag('--initial-cluster-state'), 'new');
  });

  it('keeps uint64 member ids exact (they do not fit a JSON number)', () => {
    const json = '[{"Endpoint":"127.0.0.1:2379","Status":{"header":{"cluster_id":1,"member_id":10276657743932975437,"revision":1},"leader":10276657743932975436}}]';
    assert.deepEqual(parseEndpointStatus(json), { member: '10276657743932975437', leader: '10276657743932975436' });
    assert.equal(parseEndpointStatus('[]'), undefined);
    assert.equal(parseMemberCount('{"members":[{"ID":1},{"ID":2},{"ID":3}]}'), 3);
    assert.equal(parseMemberCount('{}'), 0);
  });
});

describe('consul config', () => {
  it('makes every node a server expecting the whole cluster, with production raft timings', () => {
    const config = JSON.parse(renderConsulConfig(members[0]!, members)) as Record<string, unknown>;
    assert.equal(config['server'], true);
    assert.equal(config['bootstrap_expect'], 3);
    assert.equal(config['bind_addr'], '10.213.7.11');
    assert.equal(config['advertise_addr'], '10.213.7.11');
    assert.deepEqual(config['retry_join'], ['10.213.7.12', '10.213.7.13']);
    assert.deepEqual(config['performance'], { raft_multiplier: 1 });
  });

  it('reads the leader and the raft peers', () => {
    assert.equal(parseLeader('"10.213.7.12:8300"'), '10.213.7.12');
    assert.equal(parseLeader('""'), undefined);
    assert.deepEqual(parsePeers('["10.213.7.11:8300","10.213.7.12:8300"]'), ['10.213.7.11:8300', '10.213.7.12:8300']);
    assert.deepEqual(parsePeers('null'), []);
  });
});
