import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ExitCode } from '../../../src/exit-codes.js';
import { CheckRunner } from './run-check.js';

/** Inputs the check fuzz harness (check-fuzz.test.ts) found crashing or misjudged, each by name. */

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-regressions-'));
const runner = new CheckRunner();
after(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const lines = (...events: object[]): string => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
const oneLine = (err: string): void => {
  assert.equal(err.split('\n').filter((l) => l.startsWith('faultline: ')).length, 1, err);
  assert.doesNotMatch(err, /internal error|\n\s+at /);
};

describe('check: inputs the fuzz harness found', () => {
  it('a run directory whose history.jsonl is missing, or a directory: exit 3 naming it, not exit 5 (ENOENT/EISDIR)', async () => {
    const d = join(dir, 'run-no-history');
    mkdirSync(d);
    writeFileSync(join(d, 'test.json'), JSON.stringify({ name: 'redis-register', seed: 1, spec: { system: 'redis', workload: 'register', nemesis: [], seed: 1 } }));
    writeFileSync(join(d, 'results.json'), '{}');
    const missing = await runner.run([d], 20_000);
    assert.equal(missing.code, ExitCode.Usage, missing.err);
    assert.match(missing.err, /history\.jsonl: cannot read history: no such file/);
    oneLine(missing.err);
    mkdirSync(join(d, 'history.jsonl'));
    const directory = await runner.run([d], 20_000);
    assert.equal(directory.code, ExitCode.Usage, directory.err);
    assert.match(directory.err, /history\.jsonl: cannot read history: is a directory/);
  });

  it('counter-string-delta.jsonl: an add of "x" is exit 3 naming the event, not exit 5', async () => {
    const path = file(
      'counter-string-delta.jsonl',
      lines(
        { process: 0, type: 'invoke', f: 'add', value: 'x' },
        { process: 0, type: 'ok', f: 'add', value: 1 },
        { process: 1, type: 'invoke', f: 'read', value: null },
        { process: 1, type: 'ok', f: 'read', value: 1 },
      ),
    );
    const r = await runner.run([path, '--workload', 'counter'], 20_000);
    assert.equal(r.code, ExitCode.Usage, r.err);
    assert.match(r.err, /counter-string-delta\.jsonl: event 0: the add's delta is "x"; the counter check's bounds hold for non-negative integer deltas only/);
    oneLine(r.err);
  });

  it('bank --total 9007199254740993: taken exactly (reads summing to 2^53 are wrong), not refused as not whole', async () => {
    const history = (balance: string): string =>
      [
        '{"process":0,"type":"invoke","f":"read","value":null}',
        `{"process":0,"type":"ok","f":"read","value":[0,${balance}]}`,
      ].join('\n');
    const right = await runner.run([file('bank-right.jsonl', history('9007199254740993')), '--workload', 'bank', '--accounts', '2', '--total', '9007199254740993'], 20_000);
    assert.equal(right.code, ExitCode.Valid, right.out + right.err);
    const wrong = await runner.run([file('bank-wrong.jsonl', history('9007199254740992')), '--workload', 'bank', '--accounts', '2', '--total', '9007199254740993'], 20_000);
    assert.equal(wrong.code, ExitCode.Invalid, wrong.out + wrong.err);
    assert.match(wrong.out, /sum to 9007199254740992, not 9007199254740993: money was destroyed/);
    const bad = await runner.run([file('bank-any.jsonl', history('1')), '--workload', 'bank', '--total', '1e3'], 20_000);
    assert.equal(bad.code, ExitCode.Usage);
    assert.match(bad.err, /--total expects a whole number, got "1e3"/);
  });

  it('bank-huge-amount.jsonl: an unknown transfer of 2^40 between two reads is judged, not exit 5 (Maximum BigInt size exceeded)', async () => {
    const path = file(
      'bank-huge-amount.jsonl',
      lines(
        { process: 0, type: 'invoke', f: 'read', value: null },
        { process: 0, type: 'ok', f: 'read', value: [50, 0, 0, 0, 0] },
        { process: 1, type: 'invoke', f: 'transfer', value: { from: 0, to: 1, amount: 2 ** 40 } },
        { process: 2, type: 'invoke', f: 'read', value: null },
        { process: 2, type: 'ok', f: 'read', value: [50, 0, 0, 0, 0] },
      ),
    );
    const r = await runner.run([path, '--workload', 'bank'], 20_000);
    assert.equal(r.code, ExitCode.Valid, r.out + r.err);
    assert.match(r.out, /bank-realtime: valid/);
  });

  it('watch-null-responses.jsonl and watch-nan-revision.jsonl: exit 3 naming the event, not an empty window nor "revision NaN" in a verdict', async () => {
    const put = [
      { process: 0, type: 'invoke', f: 'put', value: [['k1', 0]] },
      { process: 0, type: 'ok', f: 'put', value: 1 },
      { process: 2, type: 'invoke', f: 'watch', value: { windowMs: 500 } },
    ];
    const nullResponses = await runner.run([file('watch-null-responses.jsonl', lines(...put, { process: 2, type: 'ok', f: 'watch', value: { from: 1, responses: null } })), '--workload', 'watch'], 20_000);
    assert.equal(nullResponses.code, ExitCode.Usage, nullResponses.out + nullResponses.err);
    assert.match(nullResponses.err, /watch-null-responses\.jsonl: event 3 \(process 2\): the watch window's value has no "responses" list of event lists/);
    oneLine(nullResponses.err);
    const window = { from: 1, responses: [[{ key: 'k1', value: 0, revision: 'x' }]] };
    const nan = await runner.run([file('watch-nan-revision.jsonl', lines(...put, { process: 2, type: 'ok', f: 'watch', value: window })), '--workload', 'watch'], 20_000);
    assert.equal(nan.code, ExitCode.Usage, nan.out + nan.err);
    assert.match(nan.err, /holds an event without a revision \(a whole number below 2\^53\): \{"key":"k1","value":0,"revision":"x"\}/);
    const right = { from: 1, responses: [[{ key: 'k1', value: 0, revision: 1 }]] };
    assert.equal((await runner.run([file('watch-right.jsonl', lines(...put, { process: 2, type: 'ok', f: 'watch', value: right })), '--workload', 'watch'], 20_000)).code, ExitCode.Valid);
  });

  it('set-read-string.jsonl and queue-drain-string.jsonl: a read or drain of "x" is exit 3, not taken as empty (which read valid)', async () => {
    const setHistory = file(
      'set-read-string.jsonl',
      lines({ process: 1, type: 'invoke', f: 'add', value: 1 }, { process: 1, type: 'fail', f: 'add', value: 1 }, { process: 0, type: 'invoke', f: 'read', value: null }, { process: 0, type: 'ok', f: 'read', value: 'x' }),
    );
    for (const workload of ['set', 'set-full']) {
      const r = await runner.run([setHistory, '--workload', workload], 20_000);
      assert.equal(r.code, ExitCode.Usage, `${workload}: ${r.out}${r.err}`);
      assert.match(r.err, /set-read-string\.jsonl: event 3 \(process 0\): a set (final-)?read returns the list \(or set\) of elements, got "x"/);
      oneLine(r.err);
    }
    const queueHistory = file(
      'queue-drain-string.jsonl',
      lines({ process: 0, type: 'invoke', f: 'enqueue', value: 1 }, { process: 0, type: 'fail', f: 'enqueue', value: 1 }, { process: 0, type: 'invoke', f: 'drain', value: null }, { process: 0, type: 'ok', f: 'drain', value: 'x' }),
    );
    const q = await runner.run([queueHistory, '--workload', 'queue'], 20_000);
    assert.equal(q.code, ExitCode.Usage, q.out + q.err);
    assert.match(q.err, /queue-drain-string\.jsonl: event 3 \(process 0\): a drain returns the list of elements it took, got "x"/);
    // The same histories with lists are judged.
    writeFileSync(queueHistory, lines({ process: 0, type: 'invoke', f: 'enqueue', value: 1 }, { process: 0, type: 'ok', f: 'enqueue', value: 1 }, { process: 0, type: 'invoke', f: 'drain', value: null }, { process: 0, type: 'ok', f: 'drain', value: [1] }));
    assert.equal((await runner.run([queueHistory, '--workload', 'queue'], 20_000)).code, ExitCode.Valid);
  });

  it('election-null-term.jsonl: an ok campaign that won no term is exit 3, not a history with nothing to check read valid', async () => {
    const path = file('election-null-term.jsonl', lines({ process: 0, type: 'invoke', f: 'campaign', value: 'p0.0' }, { process: 0, type: 'ok', f: 'campaign', value: { leader: 'p0.0', term: null } }));
    const r = await runner.run([path, '--workload', 'election'], 20_000);
    assert.equal(r.code, ExitCode.Usage, r.out + r.err);
    assert.match(r.err, /election-null-term\.jsonl: event 1 \(process 0\): an ok campaign returns the term \{leader, term\} as strings, got \{"leader":"p0\.0","term":null\}/);
    oneLine(r.err);
  });
});
