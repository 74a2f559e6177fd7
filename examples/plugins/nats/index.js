// @ts-check
/**
 * A faultline system plugin: NATS JetStream key-value on a 3-node (or N-node) cluster.
 *
 *   faultline run --system ./examples/plugins/nats/index.js --workload register --nemesis partition,kill
 *
 * Plain ES modules with JSDoc types (checked by `npm run typecheck`): the plugin loader
 * imports the file as it is, no build step. It imports only from 'faultline' (and 'nats').
 */
import { defineSystem } from 'faultline';
import { natsClient } from './client.js';
import { natsServer } from './server.js';

export default defineSystem({
  ...natsServer,
  summary: 'NATS JetStream 2.9 key-value (Debian nats-server): one bucket replicated on every node; put, get, update-at-revision',
  install: { packages: ['nats-server'] },
  versionCommand: 'nats-server --version',
  client: natsClient,
  // Go reads the clock through the vDSO, which libfaketime cannot intercept.
  clock: { via: 'none', reason: 'the Go runtime reads time through the vDSO, without libc: libfaketime cannot move it' },
});
