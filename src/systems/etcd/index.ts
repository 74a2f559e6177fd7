import { defineSystem } from '../descriptor.js';
import { etcdMembership } from './membership.js';
import { etcdClient } from './capabilities.js';
import { etcdServer } from './server.js';

/** The vDSO, not libc: what libfaketime cannot intercept. */
export const GO_CLOCK_REASON = 'the Go runtime reads time through the vDSO, without libc: libfaketime cannot move it';

export const etcd = defineSystem({
  ...etcdServer,
  summary: 'etcd 3.4: a static Raft cluster; linearizable or serializable reads, Txn, the lock service on leases',
  install: { packages: ['etcd-server', 'etcd-client'] },
  versionCommand: 'etcd --version',
  membership: etcdMembership,
  client: etcdClient,
  clock: { via: 'none', reason: GO_CLOCK_REASON },
});
