import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { packageRoot } from '../../../src/version.js';

/**
 * Runs the CLI in-process, capturing stdout and stderr. Under `--test` the test runner
 * writes its own protocol to stdout too, so `out` keeps only the CLI's chunks (they are
 * written whole, one per call, and the runner's are binary frames).
 */
async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  interface Capture {
    s: NodeJS.WriteStream;
    write: NodeJS.WriteStream['write'];
    text: string;
  }
  const capture = (s: NodeJS.WriteStream): Capture => ({ s, write: s.write.bind(s), text: '' });
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  for (const c of [out, err]) {
    c.s.write = ((chunk: string | Uint8Array) => {
      if (typeof chunk === 'string') c.text += chunk;
      else if (c === err) c.text += Buffer.from(chunk).toString();
      else return c.write(chunk);
      return true;
    }) as NodeJS.WriteStream['write'];
  }
  process.exitCode = undefined;
  try {
    return { code: await main(['node', 'faultline', 'campaign', ...args]), out: out.text, err: err.text };
  } finally {
    for (const c of [out, err]) c.s.write = c.write;
    process.exitCode = undefined;
  }
}

let dir = '';
before(async () => (dir = await mkdtemp(join(tmpdir(), 'faultline-campaign-cli-'))));
after(async () => rm(dir, { recursive: true, force: true }));

test('--dry-run --json prints every expanded spec on stdout, without Docker', async () => {
  const r = await cli([join(packageRoot, 'examples', 'quick.yaml'), '--dry-run', '--json', '--store', join(dir, 'never')]);
  assert.equal(r.code, ExitCode.Valid, r.err);
  const plan = JSON.parse(r.out) as { campaign: string; seed: number; tests: { name: string; system: string; timeLimitMs: number; store: string }[] };
  assert.equal(plan.campaign, 'quick');
  assert.deepEqual(plan.tests.map((t) => t.system), ['etcd', 'consul', 'redis', 'zookeeper']);
  assert.ok(plan.tests.every((t) => t.timeLimitMs === 20_000 && t.store === join(dir, 'never')));
});

test('--dry-run prints a table; the full example expands without error', async () => {
  const r = await cli([join(packageRoot, 'examples', 'full.yaml'), '--dry-run']);
  assert.equal(r.code, ExitCode.Valid, r.err);
  assert.match(r.out, /^#\s+test\s+system\s+workload\s+nemesis/);
  assert.match(r.out, /\betcd-register-partition_kill-r3\b/);
  assert.match(r.out, /\n\d+ test\(s\)\n$/);
});

test('a bad campaign file exits 3 with the path and line', async () => {
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'name: bad\nmatrix:\n  systems: [etcd, redis2]\n  workloads: [register]\n');
  const r = await cli([file, '--dry-run']);
  assert.equal(r.code, ExitCode.Usage);
  assert.match(r.err, /bad\.yaml:3: matrix\.systems\[1\]: unknown system "redis2"/);
  assert.equal((await cli([join(dir, 'missing.yaml')])).code, ExitCode.Usage);
  assert.equal((await cli([file, '--seed', '-1'])).code, ExitCode.Usage);
});
