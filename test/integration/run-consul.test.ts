import { describe, it } from 'node:test';
import { smokeRun, staleReadsRun } from './run-helpers.js';

describe('faultline run on consul', () => {
  // Two smoke runs side by side: separate clusters, and no verdict asserted (docs/ci.md).
  describe('smoke runs', { concurrency: 2 }, () => {
    it('register under partitions', async () => {
      await smokeRun('consul', 'register', 'partition');
    });

    it('lock-rmw under kill and pause', async () => {
      await smokeRun('consul', 'lock-rmw', 'kill,pause', ['--lock-ttl', '10']);
    });
  });

  // Alone: the invalid verdict needs enough reads on the isolated server while it is cut off.
  it('register, stale reads from an isolated server: invalid', async () => {
    // Consul documents `?stale` reads as answered by any server without the leader.
    await staleReadsRun('consul', 'stale');
  });
});
