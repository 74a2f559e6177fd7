import { defineSystem } from '../descriptor.js';
import { FAKETIME_LIB, TCMALLOC_LIB } from '../faketime.js';
import { redisClient } from './capabilities.js';
import { APPENDFSYNC, type Appendfsync, REDIS_PORT } from './config.js';
import { withSentinel } from './sentinel.js';
import { configureRedis, redisServer } from './server.js';
import { redisStates } from './states.js';

/** Redis 7's multi-part AOF: an RDB-format base written at its first start, and the incremental AOF after it. */
const REDIS_AOF_FILES = [
  { name: 'aof', summary: 'the incremental append-only file (appendonlydir/*.incr.aof)', glob: 'appendonlydir/*.incr.aof' },
  { name: 'rdb', summary: 'the RDB-format base of the append-only file (appendonlydir/*.base.rdb)', glob: 'appendonlydir/*.base.rdb' },
];

export const redis = defineSystem({
  ...redisServer,
  summary: 'Redis 7.0: one primary and asynchronous replicas, optionally Redis Sentinel; Lua CAS, SET NX PX locks',
  install: { packages: ['redis-server', 'redis-tools', 'redis-sentinel'] },
  versionCommand: 'redis-server --version',
  slowDiskWarning: 'AOF fsync is taking too long',
  client: redisClient,
  states: redisStates,
  // tcmalloc first: Debian's jemalloc-built redis-server hangs under a bare libfaketime preload.
  clock: { via: 'faketime', preload: [TCMALLOC_LIB, FAKETIME_LIB], probe: `redis-cli -p ${REDIS_PORT} TIME | tr "\\n" " "` },
  options: [
    {
      name: 'sentinel',
      summary: 'run Redis Sentinel on three nodes for automatic failover (clients follow the primary)',
      type: 'boolean',
      check: (v, cluster) => (v === true && cluster.nodes < 3 ? `Sentinel needs at least 3 nodes, the cluster has ${cluster.nodes}` : undefined),
    },
    {
      name: 'wait',
      summary: 'WAIT for n replicas after each register write (fewer acknowledgements: outcome unknown)',
      type: 'integer',
      check: (v, cluster) => (typeof v === 'number' && (v < 0 || v >= cluster.nodes) ? `WAIT needs 0 to ${cluster.nodes - 1} replicas on ${cluster.nodes} nodes, got ${v}` : undefined),
    },
    {
      name: 'appendfsync',
      summary: 'turn on the append-only file, fsynced always, every second or when the OS likes (default: no persistence at all)',
      type: 'string',
      choices: APPENDFSYNC,
    },
  ],
  adapt(values) {
    const fsync = values['appendfsync'];
    // Only with the append-only file on is there a file to corrupt (Redis runs with `save ""`).
    const persisted = typeof fsync === 'string' ? defineSystem({ ...redis, adapt: undefined, configure: configureRedis(fsync as Appendfsync), corruptibleFiles: REDIS_AOF_FILES }) : redis;
    return values['sentinel'] === true ? withSentinel(persisted) : persisted;
  },
});
