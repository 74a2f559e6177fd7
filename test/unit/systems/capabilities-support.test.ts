import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.js';
import { DefiniteFailure } from '../../../src/runner/outcome.js';
import {
  chooseReadMode,
  decodeValue,
  encodeValue,
  registerKey,
  rounds,
  ttlSeconds,
  untilAborted,
} from '../../../src/systems/capability-support.js';
import { casArgs } from '../../../src/systems/redis/capabilities.js';
import { builtinSystem, builtinSystemNames } from '../../../src/systems/index.js';

describe('the system registry', () => {
  it('every system offers register, lock, election, set, txn, counter, bank and queue (all but Redis a watch too, etcd the change stream of register keys, Redis a stream), with a default read mode first', () => {
    const defaults: Record<string, string> = { etcd: 'linearizable', consul: 'default', zookeeper: 'sync', redis: 'primary' };
    assert.deepEqual([...builtinSystemNames].sort(), ['consul', 'etcd', 'redis', 'zookeeper']);
    for (const name of builtinSystemNames) {
      const client = builtinSystem(name).client;
      const all = ['bank', 'counter', 'election', 'lock', 'queue', 'register', 'set', 'txn', ...(name === 'redis' ? ['stream'] : ['watch']), ...(name === 'etcd' ? ['registerStream'] : [])].sort();
      assert.deepEqual([...client.capabilities].sort(), all);
      assert.equal(client.readModes[0]?.name, defaults[name]);
    }
  });

  it('an unknown system is a usage error naming the known ones', () => {
    assert.throws(() => builtinSystem('mongodb'), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /mongodb/);
      assert.match(err.hint ?? '', /etcd/);
      return true;
    });
  });

  it('a read mode the system lacks is a usage error; none means the default', () => {
    const modes = builtinSystem('etcd').client.readModes;
    assert.equal(chooseReadMode('etcd', modes, undefined), 'linearizable');
    assert.equal(chooseReadMode('etcd', modes, 'serializable'), 'serializable');
    assert.throws(() => chooseReadMode('etcd', modes, 'stale'), UsageError);
  });
});

describe('register values and keys', () => {
  it('values round-trip through their stored text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.constant(null), fc.string(), fc.boolean()), (v) => {
        assert.deepEqual(decodeValue(encodeValue(v)), v);
      }),
    );
  });

  it('a missing key reads null; text that is not JSON reads as itself', () => {
    assert.equal(decodeValue(undefined), null);
    assert.equal(decodeValue(null), null);
    assert.equal(decodeValue('not json'), 'not json');
    assert.notEqual(encodeValue(1), encodeValue('1'));
  });

  it('number and string keys name different paths under the test prefix', () => {
    assert.equal(registerKey(3), 'faultline/register/3');
    assert.equal(registerKey('a'), 'faultline/register/a');
  });

  it("Redis's CAS script arguments tell 'expected absent' apart from an expected value", () => {
    assert.deepEqual(casArgs(null, 1), ['', '1', '1']);
    assert.deepEqual(casArgs(0, 1), ['0', '1', '0']);
    assert.deepEqual(casArgs('', 2), ['""', '2', '0']);
  });
});

describe('lock TTLs in whole seconds', () => {
  it('rounds up, never below the system minimum', () => {
    assert.equal(ttlSeconds(1, 2), 2);
    assert.equal(ttlSeconds(2_001, 2), 3);
    assert.equal(ttlSeconds(15_000, 10), 15);
    assert.equal(ttlSeconds(3_000, 10), 10);
  });
});

describe('rounds', () => {
  it('returns the first settled round', async () => {
    let calls = 0;
    assert.equal(await rounds('cas', async () => (++calls === 3 ? false : undefined)), false);
    assert.equal(calls, 3);
  });

  it('gives up with a definite failure after too many lost races', async () => {
    let calls = 0;
    await assert.rejects(
      rounds('cas', async () => {
        calls++;
        return undefined;
      }),
      (err: unknown) => err instanceof DefiniteFailure && err.reason === 'contended',
    );
    assert.ok(calls > 1 && calls < 100);
  });
});

describe('untilAborted', () => {
  it('settles like the promise when the signal stays quiet', async () => {
    assert.equal(await untilAborted(Promise.resolve(4), new AbortController().signal), 4);
    await assert.rejects(untilAborted(Promise.reject(new Error('boom')), new AbortController().signal), /boom/);
  });

  it("rejects with the signal's reason when it aborts first", async () => {
    const controller = new AbortController();
    const pending = untilAborted(new Promise(() => undefined), controller.signal);
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    await assert.rejects(pending, (err: Error) => err.name === 'TimeoutError');
    await assert.rejects(untilAborted(Promise.resolve(1), controller.signal), (err: Error) => err.name === 'TimeoutError');
  });
});
