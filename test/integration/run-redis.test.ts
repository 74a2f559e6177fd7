import { describe, it } from 'node:test';
import { smokeRun } from './run-helpers.js';

describe('faultline run on redis', () => {
  it('register under partitions', async () => {
    await smokeRun('redis', 'register', 'partition');
  });

  it('lock-rmw under kill and pause', async () => {
    await smokeRun('redis', 'lock-rmw', 'kill,pause', ['--lock-ttl', '5']);
  });
});
