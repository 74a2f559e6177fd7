import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { consulTxnOps } from '../../../src/systems/consul/data-types.js';
import { completeWithReads, decodeScriptRead, txnScriptArgs } from '../../../src/systems/redis/data-types.js';
import { buildMulti } from '../../../src/systems/zookeeper/multi.js';

describe('Redis txn script arguments and replies', () => {
  it('number the touched keys and send each micro-op as a triple; a w of a list becomes delete + appends', () => {
    const { keys, argv } = txnScriptArgs([['append', 'x', 1], ['r', 'y', null], ['w', 'x', ['a', 2]], ['r', 'x', null]]);
    assert.deepEqual(keys, ['faultline/txn/x', 'faultline/txn/y']);
    assert.deepEqual(argv, ['append', '1', '1', 'r', '2', 'null', 'd', '1', '', 'append', '1', '"a"', 'append', '1', '2', 'r', '1', 'null']);
  });

  it('fill reads in order from the reply: list, string value, absent', () => {
    const done = completeWithReads(
      [['r', 'x', null], ['append', 'x', 1], ['r', 'y', null], ['r', 'z', null]],
      [['l', '1', '"two"'], ['s', '{"a":1}'], ['n']],
    );
    assert.deepEqual(done, [['r', 'x', [1, 'two']], ['append', 'x', 1], ['r', 'y', { a: 1 }], ['r', 'z', null]]);
    assert.throws(() => decodeScriptRead('oops'), /unexpected txn script reply/);
  });
});

describe('Consul txn operations', () => {
  it('pin every touched key at the index read: cas for writes (0 = create), check-index or check-not-exists for reads', () => {
    const seen = new Map<string, number | undefined>([
      ['k/written', 7],
      ['k/created', undefined],
      ['k/read', 9],
      ['k/absent', undefined],
    ]);
    const writes = new Map([
      ['k/written', '[1,3]'],
      ['k/created', '[4]'],
    ]);
    assert.deepEqual(consulTxnOps(seen, writes), [
      { KV: { Verb: 'cas', Key: 'k/written', Value: Buffer.from('[1,3]').toString('base64'), Index: 7 } },
      { KV: { Verb: 'cas', Key: 'k/created', Value: Buffer.from('[4]').toString('base64'), Index: 0 } },
      { KV: { Verb: 'check-index', Key: 'k/read', Index: 9 } },
      { KV: { Verb: 'check-not-exists', Key: 'k/absent' } },
    ]);
  });
});

describe('ZooKeeper multi (node-zookeeper-client version-0 bug)', () => {
  it('keeps version 0 on check, setData and the delete of an absence check, where the library alone sends -1 ("any")', () => {
    // Never connected: building a transaction sends nothing.
    const client = zookeeper.createClient('127.0.0.1:1');
    const versions = (t: unknown) => (t as { ops: { type: number; version?: number }[] }).ops.map((op) => op.version);
    assert.deepEqual(versions(client.transaction().check('/a', 0).setData('/b', Buffer.from('x'), 0)), [-1, -1], 'the library bug this works around');
    const built = buildMulti(client, [
      { op: 'check', path: '/a', version: 0 },
      { op: 'setData', path: '/b', data: Buffer.from('x'), version: 0 },
      { op: 'setData', path: '/c', data: Buffer.from('y'), version: 4 },
      { op: 'create', path: '/d', data: Buffer.from('z') },
      { op: 'absent', path: '/e' },
    ]);
    assert.deepEqual(versions(built), [0, 0, 4, undefined, undefined, 0]);
  });
});
