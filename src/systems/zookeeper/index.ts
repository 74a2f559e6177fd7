import { defineSystem } from '../descriptor.js';
import { zookeeperMembership } from './membership.js';
import { FAKETIME_LIB } from '../faketime.js';
import { zookeeperClient } from './capabilities.js';
import { ZK_PORT } from './config.js';
import { zookeeperServer, zookeeperStart } from './server.js';

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
  options: [
    {
      name: 'trust-empty-snapshot',
      summary: 'start from the transaction log when no snapshot is readable (zookeeper.snapshot.trust.empty; a power cut soon after the first start empties the never-fsynced snapshot.0)',
      type: 'boolean',
    },
  ],
  adapt(values) {
    return values['trust-empty-snapshot'] === true ? defineSystem({ ...zookeeper, adapt: undefined, start: zookeeperStart(true) }) : zookeeper;
  },
});
