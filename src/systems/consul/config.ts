/** Pure config rendering for Consul: tested without a cluster. */
export const CONSUL_PORT = 8500;
export const CONSUL_DATA = '/var/lib/faultline/consul';
export const CONSUL_CONF = '/etc/faultline/consul.json';
export const CONSUL_LOG = '/var/log/faultline/consul.log';

export interface ConsulMember {
  readonly name: string;
  readonly address: string;
}

/**
 * Every node a server expecting the whole cluster; `raft_multiplier = 1` gives production
 * Raft timings instead of the 5× slack of the default (leader in ~1.5 s instead of ~6 s).
 */
export function renderConsulConfig(self: ConsulMember, members: readonly ConsulMember[]): string {
  const config = {
    server: true,
    bootstrap_expect: members.length,
    node_name: self.name,
    data_dir: CONSUL_DATA,
    bind_addr: self.address,
    advertise_addr: self.address,
    client_addr: '0.0.0.0',
    retry_join: members.filter((m) => m.name !== self.name).map((m) => m.address),
    retry_interval: '1s',
    performance: { raft_multiplier: 1 },
    disable_update_check: true,
    log_level: 'INFO',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** `/v1/status/leader` answers `"IP:8300"`, or `""` without a leader. */
export function parseLeader(body: string): string | undefined {
  const value = JSON.parse(body) as unknown;
  if (typeof value !== 'string' || value === '') return undefined;
  return value.replace(/:\d+$/, '');
}

/** `/v1/status/peers` answers the raft voters as `["IP:8300", …]`. */
export function parsePeers(body: string): string[] {
  const value = JSON.parse(body) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
