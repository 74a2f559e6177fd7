import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Json } from '../../../src/history/event.js';
import { parseExactJson } from '../../../src/history/exact-json.js';
import type { MicroOp } from '../../../src/runner/capabilities.js';
import { DefiniteFailure } from '../../../src/runner/outcome.js';
import {
  decodeCounter,
  decodeStored,
  elementFromName,
  elementName,
  encodeList,
  evaluateMicroOps,
  touchedKeys,
  txnKey,
  validateMicroOps,
} from '../../../src/systems/data-types.js';

const definite = (reason: string) => (err: unknown) => err instanceof DefiniteFailure && err.reason === reason;

describe('set elements as path segments', () => {
  it('round-trip any JSON element, keep 1 and "1" apart, and never contain a slash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (element) => {
        const name = elementName(element as Json);
        assert.ok(!name.includes('/'));
        // Integers beyond 2^53 come back exact, as bigints.
        assert.deepEqual(elementFromName(name), parseExactJson(JSON.stringify(element)));
      }),
    );
    assert.notEqual(elementName(1), elementName('1'));
  });

  it('report a name faultline did not write as it is', () => {
    assert.equal(elementFromName('%E0%A4%A'), '%E0%A4%A');
    assert.equal(elementFromName('plain'), 'plain');
  });
});

describe('stored lists and counters', () => {
  it('decode what was encoded; absent and empty read null', () => {
    assert.deepEqual(decodeStored(encodeList([1, 'a', [2]])), [1, 'a', [2]]);
    assert.equal(decodeStored(undefined), null);
    assert.equal(decodeStored(null), null);
    assert.equal(decodeStored(''), null);
  });

  it('read counters as integers, absent as 0, and refuse anything else', () => {
    assert.equal(decodeCounter('-12'), -12);
    assert.equal(decodeCounter(undefined), 0);
    assert.throws(() => decodeCounter('1.5'), /not an integer/);
    assert.throws(() => decodeCounter('abc'), /not an integer/);
  });

  it('keep transaction keys in their own namespace, one segment each', () => {
    assert.equal(txnKey('a/b'), 'faultline/txn/a%2Fb');
    assert.equal(txnKey(3), 'faultline/txn/3');
  });
});

describe('micro-op validation', () => {
  it('accepts list-append and rw-register transactions', () => {
    validateMicroOps([['append', 'x', 1], ['r', 'x', null], ['w', 2, 'v'], ['r', 2, null]]);
    validateMicroOps([['w', 'x', [1]], ['append', 'x', 2]]);
  });

  it('refuses, as a definite failure, what no system could run as written', () => {
    assert.throws(() => validateMicroOps([]), definite('invalid-txn'));
    assert.throws(() => validateMicroOps([['incr', 'x', 1] as unknown as MicroOp]), definite('invalid-txn'));
    assert.throws(() => validateMicroOps([['r', null, null] as unknown as MicroOp]), definite('invalid-txn'));
    assert.throws(() => validateMicroOps([['w', 'x', 5], ['append', 'x', 6]]), /after writing a non-list/);
  });

  it('lists touched keys once each, in first-touch order', () => {
    const ops: MicroOp[] = [['r', 'b', null], ['append', 'a', 1], ['append', 'b', 2], ['r', 'a', null]];
    assert.deepEqual(touchedKeys(ops), ['b', 'a']);
  });
});

describe('evaluating a transaction', () => {
  it('appends in order, reads its own writes, and reports only the final value of each written key', () => {
    const state = new Map<string, Json>([['x', [1]], ['y', 'scalar']]);
    const { completed, writes } = evaluateMicroOps(state, [
      ['r', 'x', null],
      ['append', 'x', 2],
      ['r', 'x', null],
      ['append', 'z', 'new'],
      ['r', 'y', null],
      ['w', 'y', 7],
      ['r', 'y', null],
    ]);
    assert.deepEqual(completed, [
      ['r', 'x', [1]],
      ['append', 'x', 2],
      ['r', 'x', [1, 2]],
      ['append', 'z', 'new'],
      ['r', 'y', 'scalar'],
      ['w', 'y', 7],
      ['r', 'y', 7],
    ]);
    assert.deepEqual(Object.fromEntries(writes), { x: [1, 2], z: ['new'], y: 7 });
    assert.deepEqual(state.get('x'), [1], 'the input state is not modified');
  });

  it('refuses to append to a stored non-list', () => {
    assert.throws(() => evaluateMicroOps(new Map([['x', 5]]), [['append', 'x', 1]]), definite('not-a-list'));
  });

  it('matches a serial list-append model over random transactions', () => {
    const op = fc.oneof(
      fc.tuple(fc.constant('append' as const), fc.constantFrom('a', 'b', 'c'), fc.integer()),
      fc.tuple(fc.constant('r' as const), fc.constantFrom('a', 'b', 'c'), fc.constant(null)),
    );
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (txns) => {
        const stored = new Map<string, Json>();
        const model = new Map<string, number[]>();
        for (const ops of txns) {
          const { completed, writes } = evaluateMicroOps(stored, ops);
          for (const [i, [f, key, value]] of ops.entries()) {
            const list = model.get(key);
            if (f === 'append') model.set(key, [...(list ?? []), value as number]);
            else assert.deepEqual(completed[i], ['r', key, list === undefined ? null : [...list]]);
          }
          for (const [k, v] of writes) stored.set(k, v);
        }
        for (const [k, list] of model) assert.deepEqual(stored.get(k), list);
      }),
      { numRuns: 200 },
    );
  });
});
