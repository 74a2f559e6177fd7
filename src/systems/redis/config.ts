/** Pure config rendering for Redis: tested without a cluster. */
export const REDIS_PORT = 6379;
export const REDIS_DIR = '/var/lib/faultline/redis';
export const REDIS_CONF = '/etc/faultline/redis.conf';
export const REDIS_LOG = '/var/log/faultline/redis.log';

/**
 * Debian's own config binds to loopback and daemonizes; this one listens everywhere, stays
 * in the foreground, and starts replication at once (the default 5 s diskless-sync delay
 * would dominate start-up). `primary` is the address to replicate from, absent on the primary.
 */
export function renderRedisConfig(options: { readonly primary?: string }): string {
  const lines = [
    `port ${REDIS_PORT}`,
    'bind 0.0.0.0',
    'protected-mode no',
    'daemonize no',
    `dir ${REDIS_DIR}`,
    'appendonly no',
    'save ""',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'loglevel notice',
  ];
  if (options.primary !== undefined) lines.push(`replicaof ${options.primary} ${REDIS_PORT}`);
  return `${lines.join('\n')}\n`;
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
