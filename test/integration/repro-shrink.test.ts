import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cliPath } from './cluster-helpers.js';

const cli = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [cliPath, ...args], { timeout: 600_000 }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );

/**
 * Redis without persistence loses its data when the primary is killed: the restarted
 * primary is empty and its replicas resync from it. Seed 25 in 8 s kills twice: n2 (a
 * replica) at once, then n1, the primary, ~3 s in, after adds were acknowledged (the next
 * kill would come ~10 s in): the run loses acknowledged adds. `repro` replays the same kills
 * on the same nodes at the same times; `shrink` must find that the one kill of n1 is enough
 * — and, the replica's kill coming first, a shrink that kept the first fault would fail.
 * (It was seed 3 in 14 s, five kills with n1's last: 8 runs of 14 s, where this is 6 of 8 s.)
 */
describe('repro and shrink', () => {
  it('reproduce the lost writes of a primary kill, and shrink two kills to the one that matters', async () => {
    const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-repro-')));
    const original = await cli(['run', '--system', 'redis', '--workload', 'set', '--nemesis', 'kill', '--nemesis-interval', '2', '--time-limit', '8', '--settle', '2', '--seed', '25', '--store', store]);
    assert.equal(original.code, 1, original.stderr.slice(-1500));
    const runDir = join(store, 'redis-set', 'latest');

    const repro = await cli(['repro', runDir, '-n', '2', '--json']);
    assert.equal(repro.code, 1, repro.stderr.slice(-1500));
    const r = JSON.parse(repro.stdout) as { reproduced: number; runs: number; summary: string };
    assert.equal(r.runs, 2);
    assert.ok(r.reproduced >= 1, r.summary);

    const shrink = await cli(['shrink', runDir, '--runs', '1', '--json']);
    assert.equal(shrink.code, 1, shrink.stderr.slice(-1500));
    const s = JSON.parse(shrink.stdout) as { minimal: string[]; complete: boolean; summary: string };
    assert.equal(s.complete, true);
    assert.equal(s.minimal.length, 1, s.summary);
    assert.match(s.minimal[0]!, /^kill of n1, /);
    assert.match(s.summary, /^one fault is enough/);
  });
});
