import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode } from '../../../src/exit-codes.js';
import { recheckRun } from '../../../src/campaign/recheck.js';
import { runCli } from '../../helpers/run-cli.js';

/** A run directory as faultline writes one, for a register test: no Docker needed to re-check it. */
async function runDir(read: number, verdictReasons: string[] = [], torn = false, counted = 2): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-recheck-'));
  // --min-ok 2: the two operations below are enough for this run's verdict.
  const spec = { system: 'redis', workload: 'register', nemesis: [], seed: 1, minOk: 2 };
  await writeFile(join(dir, 'test.json'), JSON.stringify({ name: 'redis-register', seed: 1, spec }));
  await writeFile(join(dir, 'results.json'), JSON.stringify({ verdict: 'valid', verdictReasons, checkers: [], ops: { invoked: counted } }));
  const events = [
    { index: 0, time: 10, process: 0, type: 'invoke', f: 'write', key: 0, value: 1 },
    { index: 1, time: 20, process: 0, type: 'ok', f: 'write', key: 0, value: 1, node: 'n1' },
    { index: 2, time: 30, process: 1, type: 'invoke', f: 'read', key: 0, value: null },
    { index: 3, time: 40, process: 1, type: 'ok', f: 'read', key: 0, value: read, node: 'n2' },
  ];
  await writeFile(join(dir, 'history.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + (torn ? '\n{"index":4,"ti' : '\n'));
  return dir;
}

describe('check RUN_DIR', () => {
  it('runs the test\'s own checkers again: a stale read is invalid, the right one valid', async () => {
    assert.equal((await recheckRun(await runDir(0))).verdict, 'invalid');
    assert.equal((await recheckRun(await runDir(1))).verdict, 'valid');
  });

  it('a run that did not finish, or whose history is torn, is never valid on a re-check', async () => {
    const stopped = await recheckRun(await runDir(1, ['the run stopped early: a client crashed']));
    assert.equal(stopped.verdict, 'unknown');
    assert.deepEqual(stopped.reasons, ['the run stopped early: a client crashed']);
    assert.equal((await recheckRun(await runDir(1, [], true))).verdict, 'unknown');
    assert.equal((await recheckRun(await runDir(0, [], true))).verdict, 'invalid');
  });

  it('a history cut or emptied after the run is judged by what it holds, never valid on what it lost', async () => {
    const cut = await recheckRun(await runDir(1, [], false, 40));
    assert.equal(cut.verdict, 'unknown');
    assert.match(cut.reasons.join('\n'), /history\.jsonl holds 2 client invocations but the run counted 40: the history is incomplete/);
    const dir = await runDir(1);
    await writeFile(join(dir, 'history.jsonl'), '');
    const emptied = await recheckRun(dir);
    assert.equal(emptied.verdict, 'unknown');
    assert.match(emptied.reasons.join('\n'), /only 0 of 0 client operations succeeded, fewer than the 2 a verdict needs/);
  });

  it('the CLI takes the directory with no flags, exits by verdict, and refuses --model with it', async () => {
    const r = await runCli('check', await runDir(0));
    assert.equal(r.code, ExitCode.Invalid);
    assert.match(r.out, /: invalid\n {2}\S+: invalid — /);
    assert.equal((await runCli('check', await runDir(1), '--model', 'register')).code, ExitCode.Usage);
  });

  it('a run that crashed (no results.json, torn history) is checked and reads unknown, never valid nor a refusal', async () => {
    const dir = await runDir(1, [], true);
    await rm(join(dir, 'results.json'));
    const r = await runCli('check', dir);
    assert.equal(r.code, ExitCode.Unknown);
    assert.match(r.out, /: unknown\n/);
    assert.match(r.out, /results\.json is missing or unreadable: the run may not have finished/);
    assert.match(r.out, /ends in a torn line/);
    // What the crashed run did record still counts against it.
    const bad = await runDir(0, [], true);
    await rm(join(bad, 'results.json'));
    assert.equal((await runCli('check', bad)).code, ExitCode.Invalid);
  });
});
