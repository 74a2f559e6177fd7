import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import { checkTransactions } from '../../../src/checker/txn/index.js';
import { FaultlineError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { pairHistory } from '../../../src/history/operation.js';
import { parseHistory } from '../../../src/history/read.js';
import { packageRoot } from '../../../src/version.js';
import { runCli } from '../../helpers/run-cli.js';

/**
 * Malformed input must end as an input error (exit 3) or a verdict, never as a crash: the
 * readers and checkers are fed mutated valid files — byte flips, truncation, duplicated
 * lines, deep nesting, huge and EDN `N` numbers, NUL and invalid UTF-8 — in process, so a
 * few hundred cases take seconds. Only the outcome's kind is asserted: the point is that
 * nothing else escapes.
 */

const shared = join(packageRoot, '..', 'shared', 'histories');
const head = (path: string, lines: number): string => readFileSync(path, 'utf8').split('\n').slice(0, lines).join('\n');

interface Seed {
  text: string;
  checker: 'linearizability' | 'transactions';
}

const lin = (text: string): Seed => ({ text, checker: 'linearizability' });
const txn = (text: string): Seed => ({ text, checker: 'transactions' });

const SEEDS: readonly Seed[] = [
  lin([
    '{"index":0,"time":10,"process":0,"type":"invoke","f":"write","key":1,"value":3}',
    '{"index":1,"time":20,"process":"nemesis","type":"invoke","f":"start-partition","value":"majority"}',
    '{"index":2,"time":30,"process":0,"type":"ok","f":"write","key":1,"value":3,"node":"n1"}',
    '{"index":3,"time":40,"process":1,"type":"invoke","f":"cas","key":1,"value":[3,4]}',
    '{"index":4,"time":50,"process":1,"type":"info","f":"cas","key":1,"value":[3,4],"error":"timeout"}',
    '{"index":5,"time":60,"process":2,"type":"invoke","f":"read","key":1,"value":null}',
    '{"index":6,"time":70,"process":2,"type":"ok","f":"read","key":1,"value":4}',
  ].join('\n')),
  txn([
    '{:type :invoke, :f :txn, :value [[:append 0 1] [:r 1 nil]], :process 0, :time 1, :index 0}',
    '{:type :ok, :f :txn, :value [[:append 0 1] [:r 1 [2]]], :process 0, :time 2, :index 1}',
    '{:type :invoke, :f :txn, :value [[:append 1 2] [:r 0 nil]], :process 1, :time 3, :index 2}',
    '{:type :info, :f :txn, :value [[:append 1 2] [:r 0 nil]], :process 1, :time 4, :index 3}',
  ].join('\n')),
  lin('[{:process 0, :type :invoke, :f :write, :value 1}\n {:process 0, :type :ok, :f :write, :value 1}\n {:process 1, :type :invoke, :f :cas, :value [1 2]}\n {:process 1, :type :fail, :f :cas, :value [1 2]}]'),
  txn('[{"type":"invoke","value":[["append",5,1]],"process":0,"index":0},{"type":"ok","value":[["append",5,1]],"process":0,"index":1},{"type":"invoke","value":[["r",5,null]],"process":1,"index":2},{"type":"ok","value":[["r",5,[1]]],"process":1,"index":3}]'),
  lin(head(join(shared, 'porcupine', 'jepsen', 'etcd_000.log'), 40)),
];

type Mutation = (text: Buffer) => Buffer;

const at = (text: Buffer, f: number): number => Math.floor(f * (text.length + 1));
const splice = (text: Buffer, i: number, remove: number, insert: Buffer | string): Buffer =>
  Buffer.concat([text.subarray(0, i), Buffer.from(insert), text.subarray(Math.min(text.length, i + remove))]);

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fraction, fc.integer({ min: 0, max: 255 })).map(([f, b]): Mutation => (t) => splice(t, at(t, f), 1, Buffer.from([b]))),
  fraction.map((f): Mutation => (t) => t.subarray(0, at(t, f))),
  fraction.map((f): Mutation => (t) => {
    const lines = t.toString('latin1').split('\n');
    const i = Math.floor(f * lines.length);
    lines.splice(i, 0, lines[i] ?? '');
    return Buffer.from(lines.join('\n'), 'latin1');
  }),
  fc.tuple(fraction, fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{', '(', '#{', '{"a":')).map(
    ([f, depth, open]): Mutation => (t) => splice(t, at(t, f), 0, open.repeat(depth)),
  ),
  fc.tuple(fraction, fc.constantFrom('123456789012345678901234567890', '1N', '-9007199254740993', '1e400', '9007199254740993N', '1.5M', '#inst "bad"', '#uuid 7', 'NaN', '-0')).map(
    ([f, number]): Mutation => (t) => {
      const text = t.toString('latin1');
      const digits = /\d+/g;
      const matches = [...text.matchAll(digits)];
      const m = matches[Math.floor(f * matches.length)];
      return m === undefined ? t : splice(t, m.index, m[0].length, number);
    },
  ),
  fc.tuple(fraction, fc.constantFrom('\u0000', '\uFFFD', '\uD800', '"', '\\', '\n', ':', ',', '}', ']', ';', '#')).map(
    ([f, s]): Mutation => (t) => splice(t, at(t, f), 0, s),
  ),
  fraction.map((f): Mutation => (t) => splice(t, at(t, f), 0, Buffer.from([0xc3, 0x28, 0xff, 0xfe]))),
);

/** What the CLI would end with: an exit code, or the unexpected error itself. */
async function outcome(text: string, checker: Seed['checker']): Promise<number | unknown> {
  try {
    const events = parseHistory(text, 'fuzz');
    const paired = pairHistory(events, 'fuzz');
    const verdict =
      checker === 'transactions'
        ? checkTransactions(paired.ops, { workload: 'list-append', consistency: 'strict-serializable', file: 'fuzz', timeLimitMs: 1000 }).verdict
        : (await checkLinearizability(paired, { model: 'cas-register', file: 'fuzz', timeLimitMs: 1000, workers: 0 })).verdict;
    return verdict === 'valid' ? ExitCode.Valid : verdict === 'invalid' ? ExitCode.Invalid : ExitCode.Unknown;
  } catch (err) {
    if (err instanceof FaultlineError) return err.exitCode;
    return err;
  }
}

describe('malformed histories', () => {
  it('every seed is valid input to begin with', async () => {
    for (const seed of SEEDS) {
      const result = await outcome(seed.text, seed.checker);
      assert.ok(result === ExitCode.Valid || result === ExitCode.Invalid, `${seed.text.slice(0, 80)}: ${String(result)}`);
    }
  });

  it('mutated files end as exit 0–3 with a one-line message, never a crash or JS internals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (seed, mutations) => {
        const bytes = mutations.reduce<Buffer>((t, m) => m(t), Buffer.from(seed.text));
        const result = await outcome(bytes.toString('utf8'), seed.checker);
        assert.ok(typeof result === 'number' && result >= 0 && result <= ExitCode.Usage, `escaped: ${String(result instanceof Error ? result.stack : result)}`);
      }),
      { numRuns: 500 },
    );
  });

  it('input errors say what was expected in words, with no JavaScript internals', async () => {
    const internals = /undefined is not|cannot read propert|is not a function|Maximum call stack|Do not know how to serialize|Invalid time value|\bat [\w.<>]+ \(/i;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (seed, mutations) => {
        const text = mutations.reduce<Buffer>((t, m) => m(t), Buffer.from(seed.text)).toString('utf8');
        try {
          parseHistory(text, 'fuzz');
        } catch (err) {
          assert.ok(err instanceof FaultlineError, String(err));
          assert.doesNotMatch(err.message, internals);
          assert.ok(!err.message.includes('\n'), `more than one line: ${err.message}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('malformed files through the CLI', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
  const cases: readonly [string, string | Buffer, string[]][] = [
    ['deep.jsonl', `{"process":0,"type":"invoke","f":"write","value":${deep(100_000)}}\n`, ['check', '--model', 'register']],
    ['deep.edn', `{:process 0, :type :invoke, :f :write, :value ${deep(100_000)}}\n`, ['check', '--model', 'register']],
    ['bigint.edn', '{:process 1N, :type :invoke, :f :read, :time 12345678901234567890N, :index 0N, :key 1N}\n', ['check', '--model', 'register']],
    ['inst.edn', '{:process 0, :type :invoke, :f :write, :value #inst "bad"}\n', ['check', '--model', 'register']],
    ['nul.jsonl', Buffer.from('{"process":0,"type":"invoke","f":"write","value":1}\n\u0000\u0000{"pro\n'), ['check', '--model', 'register']],
    ['utf8.json', Buffer.from([0x5b, 0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x5d]), ['check', '--workload', 'list-append']],
    [
      'bomb.yaml',
      ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`)].join('\n'),
      ['campaign'],
    ],
  ];
  for (const [name, text, command] of cases) {
    it(`${name}: exit 0–3, one line, no stack trace`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'faultline-fuzz-'));
      const path = join(dir, name);
      await writeFile(path, text);
      const [verb, ...flags] = command as [string, ...string[]];
      const r = await runCli(verb, path, ...flags, ...(verb === 'campaign' ? ['--dry-run'] : []));
      assert.ok(r.code >= 0 && r.code <= ExitCode.Usage, `exit ${r.code}: ${r.err}`);
      assert.doesNotMatch(r.err, /\n\s+at |internal error|Maximum call stack|serialize a BigInt|not iterable/);
      if (r.code === ExitCode.Usage) assert.match(r.err, new RegExp(`^faultline: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });
  }
});
