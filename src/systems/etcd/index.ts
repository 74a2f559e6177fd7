import { defineSystem } from '../descriptor.js';
import { etcdMembership } from './membership.js';
import { etcdClient } from './capabilities.js';
import { ETCD_PORT } from './config.js';
import { etcdServer } from './server.js';

export const etcd = defineSystem({
  ...etcdServer,
  summary: 'etcd 3.4: a static Raft cluster; linearizable or serializable reads, Txn, the lock service on leases',
  install: { packages: ['etcd-server', 'etcd-client'] },
  versionCommand: 'etcd --version',
  membership: etcdMembership,
  client: etcdClient,
  // Go reads time through the vDSO (libfaketime cannot reach it); /version answers with Go's Date header.
  clock: { via: 'vdso', daemon: 'etcd', probe: { port: ETCD_PORT, path: '/version' } },
});
