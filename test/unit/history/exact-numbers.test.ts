import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { exactJsonText, parseExactJson } from '../../../src/history/exact-json.js';
import { parseHistory } from '../../../src/history/read.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';

const BIG = '9007199254740993'; // 2^53 + 1: JSON.parse makes it 9007199254740992
const NEAR = '9007199254740992';

/** JSON values whose integers are canonical: numbers when safe, bigints beyond. */
const exactJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.string(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    fc.bigInt().filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-exact-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const registerJsonl = (read: string): string =>
  [
    `{"process":0,"type":"invoke","f":"write","value":${BIG}}`,
    `{"process":0,"type":"ok","f":"write","value":${BIG}}`,
    '{"process":1,"type":"invoke","f":"read","value":null}',
    `{"process":1,"type":"ok","f":"read","value":${read}}`,
  ].join('\n');

const registerEdn = (read: string): string =>
  [
    `{:process 0, :type :invoke, :f :write, :value ${BIG}}`,
    `{:process 0, :type :ok, :f :write, :value ${BIG}}`,
    '{:process 1N, :type :invoke, :f :read, :value nil, :time 5N}',
    `{:process 1N, :type :ok, :f :read, :value ${read}, :time 6N}`,
  ].join('\n');

describe('integers beyond 2^53', () => {
  it('read and written back exactly, in their one canonical form, whatever else the text holds', () => {
    fc.assert(
      fc.property(exactJson, fc.constantFrom(undefined, 2), (v, space) => {
        const text = exactJsonText(v, null, space);
        assert.deepEqual(parseExactJson(text), v);
      }),
      { numRuns: 500 },
    );
    assert.equal(exactJsonText({ a: [9007199254740993n, '9007199254740993'] }), '{"a":[9007199254740993,"9007199254740993"]}');
    assert.deepEqual(parseExactJson('[12345678901234567890, 1.2345678901234567890, "12345678901234567890", 9007199254740991]'), [
      12345678901234567890n,
      1.2345678901234567,
      '12345678901234567890',
      9007199254740991,
    ]);
  });

  it('JSON Lines and EDN histories keep them (EDN with or without N); EDN counts given as 1N are counts', () => {
    const jsonl = parseHistory(registerJsonl(BIG), 'h.jsonl');
    assert.equal(jsonl[0]!.value, 9007199254740993n);
    const edn = parseHistory(registerEdn(`${BIG}N`), 'h.edn');
    assert.equal(edn[0]!.value, 9007199254740993n);
    assert.equal(edn[3]!.value, 9007199254740993n);
    assert.equal(edn[2]!.process, 1);
    assert.equal(edn[2]!.time, 5);
    assert.equal(parseHistory('{:process 0, :type :ok, :f :read, :value 1N}', 'h.edn')[0]!.value, 1);
  });

  it('a register that returns 2^53 for a write of 2^53 + 1 is not linearizable; the exact value is', async () => {
    for (const [name, text] of [
      ['h.jsonl', registerJsonl],
      ['h.edn', registerEdn],
    ] as const) {
      const wrong = await runCli('check', await file(name, text(NEAR)), '--model', 'register');
      assert.equal(wrong.code, ExitCode.Invalid, `${name}: ${wrong.out}${wrong.err}`);
      assert.match(wrong.out, new RegExp(NEAR));
      const right = await runCli('check', await file(name, text(BIG)), '--model', 'register');
      assert.equal(right.code, ExitCode.Valid, `${name}: ${right.out}${right.err}`);
    }
  });

  it('list-append: a read of 2^53 where 2^53 + 1 was appended is an anomaly', async () => {
    const history = (read: string): string =>
      [
        `{"process":0,"type":"invoke","value":[["append",1,${BIG}]]}`,
        `{"process":0,"type":"ok","value":[["append",1,${BIG}]]}`,
        '{"process":1,"type":"invoke","value":[["r",1,null]]}',
        `{"process":1,"type":"ok","value":[["r",1,[${read}]]]}`,
      ].join('\n');
    const args = ['--workload', 'list-append', '--consistency', 'serializable'];
    assert.equal((await runCli('check', await file('t.json', `[${history(NEAR).split('\n').join(',')}]`), ...args)).code, ExitCode.Invalid);
    assert.equal((await runCli('check', await file('t.json', `[${history(BIG).split('\n').join(',')}]`), ...args)).code, ExitCode.Valid);
  });
});
