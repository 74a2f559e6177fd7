import { describe, it } from 'node:test';
import { smokeRun } from './run-helpers.js';

// Two smoke runs side by side: separate clusters, and no verdict asserted (docs/ci.md).
describe('faultline run on redis', { concurrency: 2 }, () => {
  it('register under partitions', async () => {
    await smokeRun('redis', 'register', 'partition');
  });

  it('lock-rmw under kill and pause', async () => {
    await smokeRun('redis', 'lock-rmw', 'kill,pause', ['--lock-ttl', '5']);
  });
});
