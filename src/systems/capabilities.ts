import { UsageError } from '../errors.js';
import type { CapabilityProvider } from './client-options.js';
import { consulCapabilities } from './consul/capabilities.js';
import { etcdCapabilities } from './etcd/capabilities.js';
import { redisCapabilities } from './redis/capabilities.js';
import { zookeeperCapabilities } from './zookeeper/capabilities.js';

export type { CapabilityClient, CapabilityProvider, ClientOptions } from './client-options.js';

/** Each system's workload client, by the name users type. */
const providers: Readonly<Record<string, CapabilityProvider>> = {
  consul: consulCapabilities,
  etcd: etcdCapabilities,
  redis: redisCapabilities,
  zookeeper: zookeeperCapabilities,
};

/** The capability provider for `systemName`, or a UsageError naming the systems that have one. */
export function capabilityProvider(systemName: string): CapabilityProvider {
  const provider = Object.hasOwn(providers, systemName) ? providers[systemName] : undefined;
  if (provider === undefined) {
    throw new UsageError(
      `no workload client for system "${systemName}"`,
      `choose one of: ${Object.keys(providers).join(', ')}`,
    );
  }
  return provider;
}
