import { defineSystem } from '../descriptor.js';
import { consulMembership } from './membership.js';
import { GO_CLOCK_REASON } from '../etcd/index.js';
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
  clock: { via: 'none', reason: GO_CLOCK_REASON },
});
