import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAL_ALL } from '../../src/runner/run.js';
import { faultEvents, runAndInspect, smokeRun, staleReadsRun } from './run-helpers.js';

/**
 * etcd promises linearizable reads by default, and documents serializable reads as
 * possibly stale (served by the local member without consensus). Those are the only
 * verdicts asserted.
 */
describe('faultline run on etcd', () => {
  // Side by side: separate clusters; a valid verdict does not depend on speed (a slower run
  // has fewer operations, not different answers), and the smoke run asserts none (docs/ci.md).
  describe('valid and smoke runs', { concurrency: 2 }, () => {
    it('register, linearizable reads, partitions: valid', async () => {
      const run = await runAndInspect([
        '--system', 'etcd', '--workload', 'register', '--nemesis', 'partition', '--nemesis-interval', '3',
        '--nodes', '3', '--concurrency', '8', '--time-limit', '20', '--op-timeout', '1', '--settle', '2', '--seed', '11',
      ]);
      assert.equal(run.results.verdict, 'valid', JSON.stringify(run.results.checkers).slice(0, 2000));
      assert.equal(run.exitCode, 0);
      assert.deepEqual(run.results.checkers.map((c) => c.checker), ['linearizable']);
      const starts = faultEvents(run.history, 'start-partition');
      assert.ok(starts.length >= 1, 'a partition was started');
      assert.ok(starts.some((e) => typeof e.value === 'object' && e.value !== null && 'details' in e.value), 'the grudge is recorded');
      assert.equal(faultEvents(run.history, HEAL_ALL).length, 1);
      assert.equal(run.results.finalPhase, 'ran');
      assert.ok(run.history.some((e) => e.type === 'ok' && e.f === 'read'));
    });

    it('lock-rmw under kill and pause (of the leader too)', async () => {
      await smokeRun('etcd', 'lock-rmw', 'kill,pause', ['--targets', 'one,leader', '--lock-ttl', '3']);
    });
  });

  // Alone: the invalid verdict needs enough reads on the isolated member while it is cut off.
  it('register, serializable reads from an isolated member: invalid', async () => {
    // Serializable reads are served by the local member without consensus.
    await staleReadsRun('etcd', 'serializable');
  });
});
