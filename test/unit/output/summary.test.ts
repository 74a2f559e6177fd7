import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../../src/exit-codes.js';
import { exitCodeFor, overallVerdict, paint, summaryJson, table, useColor, type TestOutcome } from '../../../src/output/index.js';
import { version } from '../../../src/version.js';
import { outcomes } from './fixtures.js';

interface Summary {
  format: number;
  faultline: string;
  campaign: string;
  verdict: string;
  exitCode: number;
  counts: Record<string, number>;
  tests: { name: string; status: string; verdict: string; durationMs: number; checkers: { checker: string; verdict: string }[]; error?: string; runDir?: string }[];
}

test('the --json summary: overall verdict, exit code, counts and every test', () => {
  const s = summaryJson(outcomes, { campaign: 'quick' }) as unknown as Summary;
  assert.deepEqual([s.format, s.faultline, s.campaign, s.verdict, s.exitCode], [1, version, 'quick', 'invalid', ExitCode.Interrupted]);
  assert.deepEqual(s.counts, { valid: 1, invalid: 1, unknown: 1, error: 1, notRun: 1, interrupted: 0 });
  assert.deepEqual(s.tests.map((t) => [t.name, t.status, t.verdict]), outcomes.map((o) => [o.name, o.status, o.verdict]));
  assert.equal(s.tests[0]!.durationMs, 31_400);
  assert.equal(s.tests[2]!.error, 'cluster never became healthy');
  assert.equal('runDir' in s.tests[2]!, false, 'absent fields are left out, not null');
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(s)));
});

test('exit codes: interrupted wins, then invalid > unknown > valid; no outcome is never green', () => {
  const checked = (verdict: TestOutcome['verdict']): TestOutcome => ({ name: verdict, status: 'checked', verdict, checkers: [], durationMs: 0, warnings: [] });
  assert.equal(exitCodeFor([checked('valid'), checked('valid')]), ExitCode.Valid);
  assert.equal(exitCodeFor([checked('valid'), checked('unknown')]), ExitCode.Unknown);
  assert.equal(exitCodeFor([checked('unknown'), checked('invalid')]), ExitCode.Invalid);
  assert.equal(exitCodeFor([checked('invalid'), { ...checked('valid'), status: 'interrupted', verdict: 'unknown' }]), ExitCode.Interrupted);
  assert.equal(overallVerdict([]), 'unknown');
  assert.notEqual(exitCodeFor([]), ExitCode.Valid);
  assert.equal(overallVerdict([{ ...checked('valid'), status: 'error' }]), 'unknown', 'an error is never valid');
});

test('colour only on a TTY and never with NO_COLOR', () => {
  assert.equal(useColor({ isTTY: true }, {}), true);
  assert.equal(useColor({ isTTY: false }, {}), false);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  assert.equal(paint(false, 'invalid', 'INVALID'), 'INVALID');
  assert.equal(paint(true, 'invalid', 'INVALID'), '\u001b[31mINVALID\u001b[39m');
});

test('tables pad by the text, not by the colour codes around it', () => {
  const t = table(['a', 'bb'], [['xyz', '1'], ['x', '22']], (_r, c, s) => (c === 0 ? paint(true, 'valid', s) : s));
  const plain = t.replace(/\u001b\[\d+m/g, '');
  assert.equal(plain, 'a    bb\nxyz  1\nx    22');
});
