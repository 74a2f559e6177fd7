import { describe, it } from 'node:test';
import { smokeRun, staleReadsRun } from './run-helpers.js';

describe('faultline run on consul', () => {
  it('register under partitions', async () => {
    await smokeRun('consul', 'register', 'partition');
  });

  it('lock-rmw under kill and pause', async () => {
    await smokeRun('consul', 'lock-rmw', 'kill,pause', ['--lock-ttl', '10']);
  });

  it('register, stale reads from an isolated server: invalid', async () => {
    // Consul documents `?stale` reads as answered by any server without the leader.
    await staleReadsRun('consul', 'stale');
  });
});
