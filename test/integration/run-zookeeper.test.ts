import { describe, it } from 'node:test';
import { smokeRun } from './run-helpers.js';

describe('faultline run on zookeeper', () => {
  it('register under partitions', async () => {
    await smokeRun('zookeeper', 'register', 'partition');
  });

  it('lock-rmw under kill and pause', async () => {
    await smokeRun('zookeeper', 'lock-rmw', 'kill,pause', ['--lock-ttl', '5']);
  });
});
