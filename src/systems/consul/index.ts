import { defineSystem } from '../descriptor.js';
import { consulMembership } from './membership.js';
import { CONSUL_PORT } from './config.js';
import { consulClient } from './capabilities.js';
import { consulServer } from './server.js';

export const consul = defineSystem({
  ...consulServer,
  summary: 'Consul 1.8: Raft servers; KV with default, consistent or stale reads, CAS, sessions, txn',
  // Consul left Debian after bullseye: take 1.8.7 from there, and nothing else (pinned low).
  install: {
    prepare:
      "echo 'deb http://deb.debian.org/debian bullseye main' > /etc/apt/sources.list.d/bullseye.list && printf 'Package: *\\nPin: release n=bullseye\\nPin-Priority: 100\\n' > /etc/apt/preferences.d/bullseye",
    packages: ['consul'],
  },
  versionCommand: 'consul version',
  membership: consulMembership,
  client: consulClient,
  // Go reads time through the vDSO (libfaketime cannot reach it); the HTTP API answers with Go's Date header.
  clock: { via: 'vdso', daemon: 'consul', probe: { port: CONSUL_PORT, path: '/v1/status/leader' } },
});
