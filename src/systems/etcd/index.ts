import { defineSystem } from '../descriptor.js';
import { etcdMembership } from './membership.js';
import { etcdClient } from './capabilities.js';
import { ETCD_PORT } from './config.js';
import { etcdServer, etcdStart } from './server.js';
import { etcdStates } from './states.js';

export const etcd = defineSystem({
  ...etcdServer,
  summary: 'etcd 3.4: a static Raft cluster; linearizable or serializable reads, Txn, the lock service on leases',
  install: { packages: ['etcd-server', 'etcd-client'] },
  versionCommand: 'etcd --version',
  membership: etcdMembership,
  client: etcdClient,
  // Go reads time through the vDSO (libfaketime cannot reach it); /version answers with Go's Date header.
  clock: { via: 'vdso', daemon: 'etcd', probe: { port: ETCD_PORT, path: '/version' } },
  states: etcdStates,
  options: [
    {
      name: 'snapshot-count',
      summary: 'take a snapshot every n applied entries (--snapshot-count; etcd keeps 5000 entries after one): small values let the lagging-follower target force a snapshot transfer',
      type: 'integer',
      check: (v) => (typeof v === 'number' && v < 1 ? `a snapshot count is at least 1, got ${v}` : undefined),
    },
  ],
  adapt(values) {
    const count = values['snapshot-count'];
    return typeof count === 'number' ? defineSystem({ ...etcd, adapt: undefined, start: etcdStart(count) }) : etcd;
  },
});
