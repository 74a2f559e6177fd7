import { defineSystem } from '../descriptor.js';
import { zookeeperMembership } from './membership.js';
import { FAKETIME_LIB } from '../faketime.js';
import { zookeeperClient } from './capabilities.js';
import { ZK_PORT } from './config.js';
import { zookeeperServer, zookeeperStart } from './server.js';
import { zookeeperStates } from './states.js';

export const zookeeper = defineSystem({
  ...zookeeperServer,
  summary: 'ZooKeeper 3.8: a ZAB ensemble; versioned znodes, multi, sync, ephemeral-sequential locks on sessions',
  // The JRE's postinst needs the man folder that minimal images leave out.
  install: { prepare: 'mkdir -p /usr/share/man/man1', packages: ['zookeeper'] },
  versionCommand: `echo srvr | nc -q1 localhost ${ZK_PORT}`,
  membership: zookeeperMembership,
  client: zookeeperClient,
  // The JVM reads time through libc: libfaketime moves it (log times and znode ctimes follow).
  clock: { via: 'faketime', preload: [FAKETIME_LIB] },
  states: zookeeperStates,
  options: [
    {
      name: 'trust-empty-snapshot',
      summary: 'start from the transaction log when no snapshot is readable (zookeeper.snapshot.trust.empty; a power cut soon after the first start empties the never-fsynced snapshot.0)',
      type: 'boolean',
    },
    {
      name: 'snapshot-count',
      summary: 'snapCount (transactions between snapshots) and the commit log kept for DIFF syncs (zookeeper.commitLogCount): small values let the lagging-follower target force a SNAP sync',
      type: 'integer',
      check: (v) => (typeof v === 'number' && v < 2 ? `a snapshot count is at least 2, got ${v}` : undefined),
    },
  ],
  adapt(values) {
    const trust = values['trust-empty-snapshot'] === true;
    const count = values['snapshot-count'];
    if (!trust && typeof count !== 'number') return zookeeper;
    return defineSystem({ ...zookeeper, adapt: undefined, start: zookeeperStart(trust, typeof count === 'number' ? count : undefined) });
  },
});
