import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';
import { checkBank } from '../../../src/checker/bank/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { faultIntervals } from '../../../src/history/faults.js';
import { pairHistory } from '../../../src/history/operation.js';

const OPTIONS = { accounts: 3, total: 30 };

/** A history of transfers (ok, fail or info) and reads returning `reads`, one process each, in sequence. */
function history(reads: readonly Json[], transfers: readonly ('ok' | 'fail' | 'info')[] = []): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let t = 0;
  const op = (process: number, f: string, input: Json, type: HistoryEvent['type'], output: Json, node?: string): void => {
    events.push({ index: events.length, time: (t += 1e8), process, type: 'invoke', f, value: input });
    events.push({ index: events.length, time: (t += 1e8), process, type, f, value: output, ...(node === undefined ? {} : { node }) });
  };
  transfers.forEach((type, i) => op(100 + i, 'transfer', { from: 0, to: 1, amount: 1 }, type, { from: 0, to: 1, amount: 1 }));
  reads.forEach((balances, i) => op(i, 'read', null, 'ok', balances, `n${(i % 3) + 1}`));
  return events;
}

const check = (events: HistoryEvent[]) => checkBank(pairHistory(events).ops, OPTIONS, faultIntervals(events));

describe('bank checker', () => {
  it('agrees with the definition on any reads: invalid exactly when one read is not 3 integers summing to 30 with none negative', () => {
    const balance = fc.oneof(fc.integer({ min: -3, max: 30 }), fc.constant(null), fc.constant('x'), fc.bigInt({ min: -2n, max: 31n }).map((b) => Number(b)));
    const read = fc.oneof(fc.array(balance, { minLength: 3, maxLength: 3 }), fc.array(balance, { maxLength: 4 }), fc.constant([10, 10, 10]), fc.constant([5, 20, 5])) as fc.Arbitrary<Json>;
    fc.assert(
      fc.property(fc.array(read, { maxLength: 6 }), fc.array(fc.constantFrom('ok' as const, 'fail' as const, 'info' as const), { maxLength: 4 }), (reads, transfers) => {
        const good = (r: Json): boolean =>
          Array.isArray(r) && r.length === 3 && r.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0) && (r as number[]).reduce((a, b) => a + b, 0) === 30;
        const expected = reads.length === 0 ? 'unknown' : reads.every(good) ? 'valid' : 'invalid';
        const result = check(history(reads, transfers));
        assert.equal(result.verdict, expected);
        assert.equal(result.badReads, reads.filter((r) => !good(r)).length);
      }),
      { numRuns: 1000 },
    );
  });

  it('says which read, where, and why, in one sentence', () => {
    const r = check(history([[10, 10, 10], [10, 9, 10]]));
    assert.equal(r.verdict, 'invalid');
    assert.match(r.examples[0]!.sentence, /^p1 read balances \[10 9 10\] from n2 at 0\.\d\d s \(history index 3\) with no fault in effect: they sum to 29, not 30: money was destroyed/);
    assert.match(check(history([[31, -1, 0]])).examples[0]!.sentence, /an account is below zero/);
  });

  it('is exact beyond 2^53', () => {
    const big = 2n ** 60n;
    const r = checkBank(pairHistory(history([[big, -big + 1n, 29]])).ops, OPTIONS);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.problems.negative, 1);
  });
});

describe('faultline check --workload bank', () => {
  it('reads Jepsen bank histories (balances as maps) and exits by verdict, with --accounts and --total', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bank-'));
    const path = join(dir, 'bank.edn');
    const edn = (read: string): string => `{:process 0 :type :invoke :f :transfer :value {:from 0 :to 1 :amount 2}}\n{:process 0 :type :info :f :transfer :value {:from 0 :to 1 :amount 2}}\n{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value ${read}}\n`;
    await writeFile(path, edn('{0 8 1 12 2 10}'));
    assert.equal((await runCli('check', path, '--workload', 'bank', '--accounts', '3', '--total', '30')).code, ExitCode.Valid);
    await writeFile(path, edn('{0 8 1 10 2 10}'));
    const r = await runCli('check', path, '--workload', 'bank', '--accounts', '3', '--total', '30');
    assert.equal(r.code, ExitCode.Invalid);
    assert.match(r.out, /read balances \[8 10 10\] at .* \(history index 3\) .*sum to 28, not 30/);
  });
});
