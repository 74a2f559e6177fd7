/** Pure config rendering for Redis: tested without a cluster. */
export const REDIS_PORT = 6379;
export const REDIS_DIR = '/var/lib/faultline/redis';
export const REDIS_CONF = '/etc/faultline/redis.conf';
export const REDIS_LOG = '/var/log/faultline/redis.log';

export const APPENDFSYNC = ['always', 'everysec', 'no'] as const;
export type Appendfsync = (typeof APPENDFSYNC)[number];

/**
 * Debian's own config binds to loopback and daemonizes; this one listens everywhere, stays
 * in the foreground, and starts replication at once (the default 5 s diskless-sync delay
 * would dominate start-up). `primary` is the address to replicate from, absent on the primary.
 * Without `appendfsync` there is no persistence at all (a killed node restarts empty, as the
 * kill canary shows); with it, the append-only file is on and fsynced that often.
 */
export function renderRedisConfig(options: { readonly primary?: string; readonly appendfsync?: Appendfsync }): string {
  const lines = [
    ...listenEverywhere(REDIS_PORT, REDIS_DIR),
    ...(options.appendfsync === undefined ? ['appendonly no'] : ['appendonly yes', `appendfsync ${options.appendfsync}`]),
    'save ""',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'loglevel notice',
  ];
  if (options.primary !== undefined) lines.push(`replicaof ${options.primary} ${REDIS_PORT}`);
  return `${lines.join('\n')}\n`;
}

/** The lines redis-server and redis-sentinel share: on every interface, in the foreground, with a writable dir. */
function listenEverywhere(port: number, dir: string): string[] {
  return [`port ${port}`, 'bind 0.0.0.0', 'protected-mode no', 'daemonize no', `dir ${dir}`];
}

/** `INFO replication` as a map of its `key:value` lines. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/** Whether a primary's `INFO replication` shows `expected` replicas, all online. */
export function primaryHealth(info: Map<string, string>, expected: number): { ok: boolean; detail: string } {
  if (info.get('role') !== 'master') return { ok: false, detail: `role is ${info.get('role') ?? 'unknown'}, not master` };
  const connected = Number(info.get('connected_slaves') ?? 0);
  const online = [...info.entries()].filter(([k, v]) => /^slave\d+$/.test(k) && v.includes('state=online')).length;
  const ok = connected === expected && online === expected;
  return { ok, detail: `${online} of ${expected} replicas online (${connected} connected)` };
}

export const SENTINEL_PORT = 26379;
export const SENTINEL_CONF = '/etc/faultline/sentinel.conf';
export const SENTINEL_DIR = '/var/lib/faultline/sentinel';
export const SENTINEL_LOG = '/var/log/faultline/sentinel.log';
export const SENTINEL_MASTER = 'mymaster';

export interface SentinelOptions {
  /** The initial primary's address. */
  readonly primary: string;
  /** Sentinels that must agree the primary is down (default 2: a majority of 3). */
  readonly quorum?: number;
  readonly downAfterMs?: number;
  readonly failoverTimeoutMs?: number;
}

/**
 * One sentinel's config. Sentinel rewrites this file as it learns the topology, so it must
 * be written to a path the process can write; timings are tighter than the defaults (30 s
 * down-after, 3 min failover timeout) so a failover fits in a test run.
 */
export function renderSentinelConfig(o: SentinelOptions): string {
  const lines = [
    ...listenEverywhere(SENTINEL_PORT, SENTINEL_DIR),
    `sentinel monitor ${SENTINEL_MASTER} ${o.primary} ${REDIS_PORT} ${o.quorum ?? 2}`,
    `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${o.downAfterMs ?? 3_000}`,
    `sentinel failover-timeout ${SENTINEL_MASTER} ${o.failoverTimeoutMs ?? 10_000}`,
    `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Whether `SENTINEL MASTER mymaster` (as field/value lines) shows the other sentinels, every
 * replica, and a master that is up. A sentinel that does not know the replicas yet (it learns
 * them from the master's INFO, every 10 s) aborts a failover with `no-good-slave`, so a cluster
 * is not ready for faults until every sentinel knows them all.
 */
export function sentinelHealth(
  reply: readonly string[],
  expectedOthers: number,
  expectedReplicas: number,
): { ok: boolean; detail: string } {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(reply[i] ?? '', reply[i + 1] ?? '');
  const others = Number(fields.get('num-other-sentinels') ?? -1);
  const replicas = Number(fields.get('num-slaves') ?? -1);
  const flags = fields.get('flags') ?? 'unknown';
  const ok = others === expectedOthers && replicas === expectedReplicas && flags === 'master';
  const count = (n: number): string => (n < 0 ? 'no' : String(n));
  return {
    ok,
    detail: `sees ${count(others)} other sentinels of ${expectedOthers} and ${count(replicas)} replicas of ${expectedReplicas}, master flags ${flags}`,
  };
}
