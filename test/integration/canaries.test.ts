import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../../src/version.js';
import { cliPath } from './cluster-helpers.js';

/** The CI subset of examples/canaries.yaml: the three Redis canaries that need no partition (about a minute and a half). */
const SUBSET = ['redis-lock-rmw-frozen-holder', 'redis-set-no-persistence', 'redis-set-everysec-power-loss'];

test('canaries: known-unsafe combinations come out invalid, and the campaign is green for it', { timeout: 300_000 }, async () => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'faultline-canaries-')));
  try {
    const full = parse(await readFile(join(packageRoot, 'examples', 'canaries.yaml'), 'utf8')) as { tests: { system: string; workload: string; label?: string }[] };
    const subset = { ...full, tests: full.tests.filter((t) => SUBSET.includes(`${t.system}-${t.workload}-${t.label ?? ''}`)) };
    assert.equal(subset.tests.length, SUBSET.length);
    const file = join(dir, 'canaries.yaml');
    await writeFile(file, stringify(subset));
    const r = await promisify(execFile)(process.execPath, [cliPath, 'campaign', file, '--store', join(dir, 'store'), '--json'], { timeout: 280_000 }).then(
      (out) => ({ ...out, exitCode: 0 }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', exitCode: err.code ?? -1 }),
    );
    const summary = JSON.parse(r.stdout) as { exitCode: number; tests: { name: string; verdict: string; expect?: { verdict: string } }[] };
    assert.equal(r.exitCode, 0, r.stderr.slice(-2000));
    assert.equal(summary.exitCode, 0);
    for (const t of summary.tests) {
      assert.equal(t.verdict, 'invalid', `${t.name} found its known anomaly`);
      assert.equal(t.expect?.verdict, 'invalid');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
