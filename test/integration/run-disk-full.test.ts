import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { Label } from '../../src/cluster/labels.js';
import { readHistoryJsonl } from '../../src/store/index.js';
import { cliPath, labelled } from './cluster-helpers.js';

const run = promisify(execFile);

/**
 * The store on a 64 KiB tmpfs fills up a few seconds into the run: the run must stop at
 * once, heal, tear the cluster down and exit 4 with one clear line, keeping the history
 * written so far (checkable) — not hang printing progress forever.
 */
describe('a full disk under the run store', () => {
  it('stops the run cleanly within seconds: healed, torn down, exit 4, history kept', async () => {
    const store = await mkdtemp(join(tmpdir(), 'faultline-full-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', store]);
    try {
      const started = Date.now();
      const r = await run(process.execPath, [cliPath, 'run', '--system', 'redis', '--workload', 'register', '--nemesis', 'partition', '--time-limit', '60', '--store', store], { timeout: 120_000 }).then(
        () => ({ exitCode: 0, stderr: '' }),
        (err: { code?: number; stderr?: string }) => ({ exitCode: err.code ?? -1, stderr: err.stderr ?? '' }),
      );
      assert.equal(r.exitCode, 4, r.stderr.slice(-2000));
      assert.ok(Date.now() - started < 50_000, `took ${Date.now() - started} ms: it ran on after the disk filled`);
      assert.match(r.stderr, /faultline: cannot append to .*history\.jsonl: ENOSPC/);
      assert.match(r.stderr, /hint: is the disk full\?/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      const cluster = /cluster ([0-9a-f]{8}) healthy/.exec(r.stderr)?.[1];
      assert.ok(cluster !== undefined);
      assert.deepEqual(await labelled(await connectDocker(), `${Label.run}=${cluster}`), { containers: 0, networks: 0 });
      const [test] = await readdir(store);
      const dir = join(store, test!, await readlink(join(store, test!, 'latest')));
      const { events } = await readHistoryJsonl(join(dir, 'history.jsonl'));
      assert.ok(events.length > 50, `the history written before the disk filled is kept (${events.length} events)`);
      assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp-')), [], 'no half-written files');
      const check = await run(process.execPath, [cliPath, 'check', join(dir, 'history.jsonl'), '--model', 'cas-register']).then(
        () => 0,
        (err: { code?: number }) => err.code ?? -1,
      );
      assert.ok([0, 1, 2].includes(check), `the kept history is checkable (exit ${check})`);
      await readFile(join(dir, 'test.json'), 'utf8');
    } finally {
      await run('umount', [store]).catch(() => undefined);
      await rm(store, { recursive: true, force: true });
    }
  });
});
