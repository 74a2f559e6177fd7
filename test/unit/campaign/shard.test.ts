import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { writeCampaignFiles } from '../../../src/campaign/outputs.js';
import { parseShard, shardOf } from '../../../src/campaign/shard.js';
import { UsageError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import type { TestOutcome } from '../../../src/output/index.js';
import { packageRoot } from '../../../src/version.js';
import { runCli } from '../../helpers/run-cli.js';

const outcome = (name: string, verdict: TestOutcome['verdict']): TestOutcome => ({
  name,
  status: 'checked',
  verdict,
  durationMs: 1000,
  checkers: [{ checker: 'linearizable', verdict, details: { explanation: `${name} is ${verdict}` } }],
  warnings: [],
});

/** A shard's campaign directory, written by the same function a campaign uses. */
async function shardDir(index: number, count: number, outcomes: TestOutcome[], seed = 7): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), `faultline-shard-${index}-`));
  const dir = { path, jsonPath: join(path, 'campaign.json'), junitPath: join(path, 'junit.xml'), indexPath: join(path, 'index.html') };
  await writeCampaignFiles(dir, 'c', { campaign: 'c', seed, shard: { index, count } }, outcomes);
  return path;
}

describe('campaign --shard i/n', () => {
  it('slices are disjoint, keep the order, and together are the whole campaign', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 40 }), (n, m) => {
        const tests = Array.from({ length: m }, (_, k) => k);
        const slices = Array.from({ length: n }, (_, i) => shardOf(tests, { index: i + 1, count: n }));
        assert.deepEqual(slices.flat().sort((a, b) => a - b), tests);
        for (const s of slices) assert.deepEqual(s, [...s].sort((a, b) => a - b));
        assert.ok(slices.every((s) => s.length <= Math.ceil(m / n) && s.length >= Math.floor(m / n)), 'balanced');
      }),
    );
  });

  it('refuses what is not i/n with 1 ≤ i ≤ n, in one line', () => {
    for (const bad of ['0/3', '4/3', 'a/b', '1', '2/0', '-1/2']) assert.throws(() => parseShard(bad), UsageError, bad);
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  });

  it('--dry-run lists only the slice', async () => {
    const r = await runCli('campaign', join(packageRoot, 'examples', 'canaries.yaml'), '--dry-run', '--json', '--shard', '2/3');
    const names = (JSON.parse(r.out) as { tests: { name: string }[] }).tests.map((t) => t.name);
    const all = (JSON.parse((await runCli('campaign', join(packageRoot, 'examples', 'canaries.yaml'), '--dry-run', '--json')).out) as { tests: { name: string }[] }).tests.map((t) => t.name);
    // Test k goes to slice k mod n + 1: slice 2 of 3 holds tests 1, 4, 7, …
    assert.deepEqual(names, all.filter((_, k) => k % 3 === 1));
    assert.ok(names.length >= 3);
    assert.equal((await runCli('campaign', join(packageRoot, 'examples', 'canaries.yaml'), '--dry-run', '--shard', '4/3')).code, ExitCode.Usage);
  });
});

describe('faultline merge', () => {
  it('one index, summary and JUnit file, and the exit code a single campaign would give', async () => {
    const a = await shardDir(1, 2, [outcome('t1', 'valid'), outcome('t3', 'valid')]);
    const b = await shardDir(2, 2, [outcome('t2', 'invalid')]);
    const out = await mkdtemp(join(tmpdir(), 'faultline-merged-'));
    const r = await runCli('merge', a, b, '--out', out, '--json');
    assert.equal(r.code, ExitCode.Invalid, r.err);
    const summary = JSON.parse(r.out) as { tests: { name: string }[]; exitCode: number; command: string };
    assert.deepEqual(summary.tests.map((t) => t.name), ['t1', 't3', 't2']);
    assert.equal(summary.exitCode, ExitCode.Invalid);
    assert.equal((await readFile(join(out, 'junit.xml'), 'utf8')).match(/<testcase /g)?.length, 3);
    assert.match(await readFile(join(out, 'index.html'), 'utf8'), /t2/);
    const valid = await runCli('merge', a, await shardDir(2, 2, [outcome('t2', 'valid')]), '--out', out);
    assert.equal(valid.code, ExitCode.Valid, valid.err);
  });

  it('refuses a missing shard (unless --allow-partial, never green), a shard twice, or shards of different runs', async () => {
    const a = await shardDir(1, 3, [outcome('t1', 'valid')]);
    const missing = await runCli('merge', a, await shardDir(3, 3, [outcome('t3', 'valid')]));
    assert.equal(missing.code, ExitCode.Usage);
    assert.match(missing.err, /shard 2\/3 missing/);
    const partial = await runCli('merge', a, '--allow-partial', '--json');
    assert.equal(partial.code, ExitCode.Unknown, partial.err);
    assert.equal((await runCli('merge', a, a)).code, ExitCode.Usage);
    assert.equal((await runCli('merge', a, await shardDir(2, 3, [outcome('t2', 'valid')], 8), await shardDir(3, 3, []))).code, ExitCode.Usage);
    assert.equal((await runCli('merge', join(tmpdir(), 'no-such-shard'))).code, ExitCode.Usage);
  });
});
