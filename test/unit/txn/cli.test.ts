import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode } from '../../../src/exit-codes.js';
import { packageRoot } from '../../../src/version.js';
import { runCli } from '../../helpers/run-cli.js';
import { TxnEventColumns, checkTransactionColumns } from '../../../src/checker/txn/index.js';
import type { Json } from '../../../src/history/event.js';
import { serializeHistory } from '../../../src/history/formats/jsonl.js';
import { parseHistory } from '../../../src/history/read.js';
import { BENCH_DEFAULTS, seededRandom, serialHistory } from './serial-executor.js';

const elle = join(packageRoot, '..', 'shared', 'histories', 'elle-cli');
const intermediateRead = join(elle, 'list-append-anomaly-g1b-intermediate-read.json');

describe('faultline check --workload', () => {
  it('exits 1 and names the anomaly with its cycle under strict-serializable (the default)', async () => {
    const r = await runCli('check', intermediateRead, '--workload', 'list-append');
    assert.equal(r.code, ExitCode.Invalid);
    assert.match(r.out, /strict-serializable: INVALID/);
    assert.match(r.out, /G-single-item-realtime/);
    assert.match(r.out, /rw→/);
  });

  it('exits 0 on the same history under plain serializable (real-time order is what it breaks)', async () => {
    const r = await runCli('check', intermediateRead, '--workload', 'list-append', '--consistency', 'serializable');
    assert.equal(r.code, ExitCode.Valid);
    assert.match(r.out, /serializable: VALID/);
  });

  it('--json prints the whole result', async () => {
    const r = await runCli('check', join(elle, 'list-append-anomaly-g0-cycle.json'), '--workload', 'list-append', '--json');
    assert.equal(r.code, ExitCode.Invalid);
    const result = JSON.parse(r.out) as { verdict: string; anomalyTypes: string[] };
    assert.equal(result.verdict, 'invalid');
    assert.ok(result.anomalyTypes.includes('G0'), `anomalies: ${result.anomalyTypes.join(', ')}`);
  });

  it('exits 3 with a hint for an unknown workload, an unknown model, or both checkers at once', async () => {
    const workload = await runCli('check', intermediateRead, '--workload', 'list-apend');
    assert.equal(workload.code, ExitCode.Usage);
    assert.match(workload.err, /unknown workload "list-apend"\n {2}hint: transactional workloads: list-append, rw-register/);
    const model = await runCli('check', intermediateRead, '--workload', 'list-append', '--consistency', 'serialisable');
    assert.equal(model.code, ExitCode.Usage);
    assert.match(model.err, /unknown consistency model "serialisable"/);
    const both = await runCli('check', intermediateRead, '--workload', 'list-append', '--model', 'register');
    assert.equal(both.code, ExitCode.Usage);
    assert.match(both.err, /one checker/);
  });
});

describe('faultline check --workload streams a JSON Lines file', () => {
  it('a file of several read chunks gives the verdict, anomalies and sentences of the history read whole', async () => {
    // 8,000 transactions (≈ 3 MB, three 1 MiB reads), 2% of reads stale so that cycles are explained.
    const events = serialHistory({ ...BENCH_DEFAULTS, txns: 8000 }, seededRandom(5));
    const rand = seededRandom(9);
    for (const e of events) {
      if (e.type !== 'ok' || !Array.isArray(e.value)) continue;
      e.value = (e.value as Json[][]).map((m) => (m[0] === 'r' && Array.isArray(m[2]) && m[2].length > 0 && rand() < 0.02 ? [m[0], m[1]!, m[2].slice(0, -1)] : m));
    }
    const path = join(mkdtempSync(join(tmpdir(), 'faultline-txn-stream-')), 'big.jsonl');
    const text = serializeHistory(events);
    writeFileSync(path, text);
    assert.ok(text.length > 2.5 * 2 ** 20);
    const r = await runCli('check', path, '--workload', 'list-append', '--consistency', 'serializable', '--json');
    assert.equal(r.code, ExitCode.Invalid, r.err);
    const got = JSON.parse(r.out) as { anomalyCounts: Record<string, number>; anomalies: { type: string; explanation: string }[] };
    const sink = new TxnEventColumns('list-append', path);
    for (const e of parseHistory(text, path)) sink.add(e);
    const want = checkTransactionColumns(sink.finish(), { workload: 'list-append', consistency: 'serializable', file: path });
    assert.equal(want.verdict, 'invalid');
    assert.deepEqual(got.anomalyCounts, want.anomalyCounts);
    assert.deepEqual(
      got.anomalies.map((a) => `${a.type}: ${a.explanation}`),
      want.anomalies.map((a) => `${a.type}: ${a.explanation}`),
    );
    assert.ok(want.anomalies.some((a) => a.steps !== undefined && a.steps.length > 0), 'a cycle was explained');
  });
});

describe('faultline check: a history with nothing to check is refused, never "valid"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-txn-empty-'));
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  const register = join(dir, 'register.jsonl');
  writeFileSync(register, '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"ok","f":"write","value":1}\n');

  it('exits 3 on an empty file, whatever the checker', async () => {
    for (const checker of [['--model', 'register'], ['--workload', 'list-append'], ['--workload', 'bank']]) {
      const r = await runCli('check', empty, ...checker);
      assert.equal(r.code, ExitCode.Usage, `${checker.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, /empty\.jsonl: holds no history events/);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });

  it('a history whose last line is torn (the recording was cut) is never valid, whatever the checker', async () => {
    const torn = (name: string, lines: object[]): string => {
      const path = join(dir, name);
      writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"process":0,"ty`);
      return path;
    };
    const register = torn('register-torn.jsonl', [{ process: 0, type: 'invoke', f: 'write', value: 1 }, { process: 0, type: 'ok', f: 'write', value: 1 }]);
    const txn = torn('txn-torn.jsonl', [{ process: 0, type: 'invoke', f: 'txn', value: [['append', 0, 1]] }, { process: 0, type: 'ok', f: 'txn', value: [['append', 0, 1]] }]);
    const set = torn('set-torn.jsonl', [
      { process: 0, type: 'invoke', f: 'add', value: 1 },
      { process: 0, type: 'ok', f: 'add', value: 1 },
      { process: 0, type: 'invoke', f: 'read', value: null },
      { process: 0, type: 'ok', f: 'read', value: [1] },
    ]);
    for (const [file, checker] of [[register, ['--model', 'register']], [txn, ['--workload', 'list-append']], [set, ['--workload', 'set']]] as const) {
      const r = await runCli('check', file, ...checker);
      assert.equal(r.code, ExitCode.Unknown, `${checker.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.out, /the history ends in a torn line/);
      // Without the torn line the same history is valid: the cut, not the checker, made it unknown.
      writeFileSync(`${file}.whole`, readFileSync(file, 'utf8').replace(/\n[^\n]*$/, '\n'));
      assert.equal((await runCli('check', `${file}.whole`, ...checker)).code, ExitCode.Valid);
    }
  });

  it('exits 3 when a transactional check is given a history without one transaction', async () => {
    for (const workload of ['list-append', 'rw-register', 'long-fork']) {
      const r = await runCli('check', register, '--workload', workload);
      assert.equal(r.code, ExitCode.Usage, `${workload}: ${r.out}${r.err}`);
      assert.match(r.err, new RegExp(`no transaction \\(an operation with f txn\\) to check as ${workload}; its operations are write`));
    }
  });
});

describe('faultline check: version orders the user asserts, and long forks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-txn-cli-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  // Jepsen's long fork: two inserts, two group reads that see them in opposite orders.
  const longFork = file(
    'long-fork.edn',
    [
      '{:process 0, :type :invoke, :f :txn, :value [[:w 0 1]], :index 0}',
      '{:process 1, :type :invoke, :f :txn, :value [[:w 1 1]], :index 1}',
      '{:process 2, :type :invoke, :f :txn, :value [[:r 0 nil] [:r 1 nil]], :index 2}',
      '{:process 3, :type :invoke, :f :txn, :value [[:r 1 nil] [:r 0 nil]], :index 3}',
      '{:process 0, :type :ok, :f :txn, :value [[:w 0 1]], :index 4}',
      '{:process 1, :type :ok, :f :txn, :value [[:w 1 1]], :index 5}',
      '{:process 2, :type :ok, :f :txn, :value [[:r 0 1] [:r 1 nil]], :index 6}',
      '{:process 3, :type :ok, :f :txn, :value [[:r 1 1] [:r 0 nil]], :index 7}',
    ].join('\n'),
  );
  // Elle's transaction-order test: T0 read x = nil and wrote y = 2, T1 wrote x = 3 and y = 4.
  const twoWriters = file(
    'two-writers.edn',
    [
      '{:process 0, :type :invoke, :f :txn, :value [[:r :x nil] [:w :y 2]]}',
      '{:process 1, :type :invoke, :f :txn, :value [[:w :x 3] [:w :y 4]]}',
      '{:process 0, :type :ok, :f :txn, :value [[:r :x nil] [:w :y 2]]}',
      '{:process 1, :type :ok, :f :txn, :value [[:w :x 3] [:w :y 4]]}',
    ].join('\n'),
  );

  it('--workload long-fork exits 1 and says which reads saw which writes', async () => {
    const r = await runCli('check', longFork, '--workload', 'long-fork');
    assert.equal(r.code, ExitCode.Invalid);
    assert.match(r.out, /long-fork: invalid — T2 read 0 = 1 and 1 = nil, T3 read 0 = nil and 1 = 1: T2 saw T0's write of 0 = 1 but not T1's write of 1 = 1, T3 the reverse/);
    // The transactional checker sees the same history's cycle (two anti-dependencies, not adjacent).
    const txn = await runCli('check', longFork, '--workload', 'rw-register', '--consistency', 'snapshot-isolation');
    assert.equal(txn.code, ExitCode.Invalid);
    assert.match(txn.out, /G-nonadjacent-item/);
  });

  it('--workload comments and sequential check Jepsen\'s CockroachDB histories (sets included); malformed reads exit 3', async () => {
    const comments = file(
      'comments.edn',
      [
        '{:process 0, :type :invoke, :f :write, :value 1, :time 0}',
        '{:process 0, :type :ok, :f :write, :value 1, :time 1000000000}',
        '{:process 1, :type :invoke, :f :write, :value 2, :time 2000000000}',
        '{:process 1, :type :ok, :f :write, :value 2, :time 3000000000}',
        '{:process 2, :type :invoke, :f :read, :value nil, :time 4000000000}',
        '{:process 2, :type :ok, :f :read, :value #{2}, :time 5000000000}',
      ].join('\n'),
    );
    const c = await runCli('check', comments, '--workload', 'comments');
    assert.equal(c.code, ExitCode.Invalid);
    assert.match(c.out, /comments: invalid — 1 of 1 reads is not strictly serializable; the first: p2 read 1 ids at 5\.00 s \(history index 5\) with no fault in effect: it saw id 2 .* but not 1/);
    const seq = file('sequential.edn', ['{:process 1, :type :invoke, :f :read, :value [3 nil]}', '{:process 1, :type :ok, :f :read, :value [3 [nil 1 1]]}'].join('\n'));
    assert.equal((await runCli('check', seq, '--workload', 'sequential')).code, ExitCode.Valid);
    const bad = file('bad-read.jsonl', ['{"process":0,"type":"invoke","f":"read"}', '{"process":0,"type":"ok","f":"read","value":{"a":1}}'].join('\n'));
    for (const workload of ['comments', 'sequential']) {
      const r = await runCli('check', bad, '--workload', workload);
      assert.equal(r.code, ExitCode.Usage);
      assert.match(r.err, /bad-read\.jsonl: event 1: a (comments|sequential) read returns/);
      assert.doesNotMatch(r.err, /at .*\.js:\d+/);
    }
  });

  it('--transaction-order reads an EDN map of completion index → position; --wfr-keys shows in the version order', async () => {
    const plain = await runCli('check', twoWriters, '--workload', 'rw-register', '--consistency', 'serializable');
    assert.equal(plain.code, ExitCode.Valid);
    const ordered = await runCli('check', twoWriters, '--workload', 'rw-register', '--consistency', 'serializable', '--transaction-order', file('order.edn', '{2 2, 3 1}'), '--wfr-keys');
    assert.equal(ordered.code, ExitCode.Invalid);
    assert.match(ordered.out, /version order from: reads, wfr-keys, transaction-order/);
    assert.match(ordered.out, /the transaction order puts T1 at position 1 before T0 at position 2/);
    const tie = await runCli('check', twoWriters, '--workload', 'rw-register', '--transaction-order', file('tie.json', '{"2": 1, "3": 1}'));
    assert.equal(tie.code, ExitCode.Usage);
    assert.match(tie.err, /events 2 and 3 are both at position 1/);
    const missing = await runCli('check', twoWriters, '--workload', 'rw-register', '--transaction-order', join(dir, 'nope.edn'));
    assert.equal(missing.code, ExitCode.Usage);
    assert.match(missing.err, /nope\.edn: cannot read the transaction order: no such file/);
    const listAppend = await runCli('check', twoWriters, '--workload', 'list-append', '--wfr-keys');
    assert.equal(listAppend.code, ExitCode.Usage);
    assert.match(listAppend.err, /--wfr-keys is for --workload rw-register/);
  });
});
