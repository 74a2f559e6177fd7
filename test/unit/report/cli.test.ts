import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { writeInvalidRun } from './invalid-run.js';

let work: string;
let runDir: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faultline-report-cli-'));
  runDir = (await writeInvalidRun(join(work, 'run'))).dir;
});
after(() => rm(work, { recursive: true, force: true }));

/** Runs the CLI in this process (its few output lines go to the test log); process.exitCode is restored. */
async function cli(...args: string[]): Promise<number> {
  try {
    return await main(['node', 'faultline', ...args]);
  } finally {
    process.exitCode = undefined;
  }
}

test('faultline report RUN_DIR writes RUN_DIR/report.html, or --out FILE', async () => {
  assert.equal(await cli('report', runDir), ExitCode.Valid);
  assert.match(readFileSync(join(runDir, 'report.html'), 'utf8'), /^<!doctype html>/);
  const out = join(work, 'elsewhere.html');
  assert.equal(await cli('report', runDir, '--out', out), ExitCode.Valid);
  assert.ok(existsSync(out));
});

test('faultline report on something that is not a run: exit 3', async () => {
  assert.equal(await cli('report', join(work, 'missing')), ExitCode.Usage);
});

test('faultline serve with a bad port or a missing store: exit 3', async () => {
  assert.equal(await cli('serve', work, '--port', '70000'), ExitCode.Usage);
  assert.equal(await cli('serve', join(work, 'no-store'), '--port', '0'), ExitCode.Usage);
});
