import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * Redis's own documentation says a single-instance `SET NX PX` lock cannot guarantee mutual
 * exclusion when the holder pauses (GC, scheduling) past the TTL. Here the holder stalls right
 * after acquiring for 2.5× the TTL while three other processes wait for the lock: the lease
 * expires, another process acquires, and the mutex checker must find two holders.
 */
describe('client-pause on redis', () => {
  it('a pause longer than the lock TTL breaks mutual exclusion: invalid', async () => {
    const run = await runAndInspect([
      '--system', 'redis', '--workload', 'lock-rmw', '--nemesis', 'client-pause', '--lock-ttl', '1', '--client-pause', '2.5',
      '--nemesis-interval', '3', '--nodes', '3', '--concurrency', '4', '--time-limit', '15', '--op-interval', '50', '--settle', '1', '--seed', '7',
    ]);
    const pauses = faultEvents(run.history, 'start-client-pause').map((e) => e.value as { details?: { applied?: boolean; after?: string; durationMs?: number; process?: number } });
    const applied = pauses.filter((p) => p.details?.applied === true);
    assert.ok(applied.length >= 1, `no client pause was applied: ${JSON.stringify(pauses)}`);
    for (const p of applied) {
      assert.equal(p.details?.after, 'acquire');
      assert.equal(p.details?.durationMs, 2500);
      assert.equal(typeof p.details?.process, 'number');
    }
    const mutex = run.results.checkers.find((c) => c.checker === 'mutex');
    assert.equal(mutex?.verdict, 'invalid', JSON.stringify(run.results.checkers).slice(0, 1500));
    assert.equal(run.results.verdict, 'invalid');
    assert.equal(run.exitCode, 1);
    // The paused holder's release finds the lock gone: Redis refused it (not-held).
    assert.ok(run.history.some((e) => e.f === 'release' && e.type === 'fail' && e.error === 'not-held'));
  });
});
