// @ts-check
/**
 * A faultline system plugin: the npm `redlock` library (Redlock, the Redis distributed lock
 * algorithm) over N independent Redis primaries, as the lock client of the `lock` and
 * `lock-rmw` workloads.
 *
 *   faultline run --system ./examples/plugins/redlock/index.js --workload lock-rmw --nemesis client-pause
 *
 * Plain ES modules with JSDoc types (checked by `npm run typecheck`). It imports only from
 * 'faultline', 'redlock' and 'ioredis'.
 */
import { defineSystem } from 'faultline';
import { redlockClient } from './client.js';
import { redlockServers } from './server.js';

export default defineSystem({
  ...redlockServers,
  summary: 'Redlock (npm redlock 5) over independent Redis 7.0 primaries, one per node; the lock-rmw counter lives on n1',
  install: { packages: ['redis-server', 'redis-tools'] },
  versionCommand: 'redis-server --version',
  client: redlockClient,
  // No clock faults offered: the plugin's point is the client-side lease, shown with client freezes.
  clock: { via: 'none', reason: 'this example plugin does not preload libfaketime' },
});
