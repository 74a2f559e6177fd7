import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/version.js';
import { foreignImports } from './plugin-imports.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * The Redlock example plugin (examples/plugins/redlock/): the npm `redlock` library over three
 * independent Redis primaries, run as a user runs a plugin. Without faults it keeps mutual
 * exclusion; a holder frozen longer than the lock's TTL (SIGSTOP of its client process, so no
 * timer of its own can warn it) is still inside its critical section when the next holder
 * enters — Kleppmann's "How to do distributed locking" (2016), which no lock without fencing
 * avoids.
 */
const pluginDir = join(packageRoot, 'examples', 'plugins', 'redlock');
const pluginRef = `./${relative(process.cwd(), join(pluginDir, 'index.js'))}`;
const common = ['--system', pluginRef, '--workload', 'lock-rmw', '--concurrency', '4', '--op-interval', '50', '--settle', '1', '--seed', '7', '--min-ok', '10'];

describe('the Redlock example plugin', () => {
  it('imports only faultline, redlock, ioredis, node: built-ins and its own files', async () => {
    const { foreign, usesFaultline } = await foreignImports(pluginDir, ['redlock', 'ioredis']);
    assert.deepEqual(foreign, [], 'a plugin may use only the faultline package root');
    assert.ok(usesFaultline, 'the plugin is written against the public API');
  });

  it('no faults: critical sections never overlap, no update lost', async () => {
    const run = await runAndInspect([...common, '--time-limit', '8']);
    assert.equal(run.results.verdict, 'valid', JSON.stringify(run.results.checkers).slice(0, 2000));
    assert.equal(run.exitCode, 0);
    const released = run.history.filter((e) => e.f === 'release' && e.type === 'ok').length;
    assert.ok(released > 50, `${released} releases`);
  });

  it('a client frozen longer than the TTL: two holders at once, invalid', async () => {
    const run = await runAndInspect([...common, '--nemesis', 'client-pause', '--lock-ttl', '1', '--client-pause', '3', '--nemesis-interval', '2', '--time-limit', '12']);
    const pauses = faultEvents(run.history, 'start-client-pause').map((e) => e.value as { details?: { applied?: boolean } });
    assert.ok(pauses.some((p) => p.details?.applied === true), `no client was frozen: ${JSON.stringify(pauses)}`);
    const sections = run.results.checkers.find((x) => x.checker === 'mutual-exclusion');
    const explanation = String((sections?.details as { explanation?: string } | undefined)?.explanation);
    assert.equal(sections?.verdict, 'invalid', explanation);
    assert.match(explanation, /held the lock from .* meanwhile p\d+ .*acquired it .* so both were inside .*client-pause process/);
    assert.equal(run.exitCode, 1);
  });
});
