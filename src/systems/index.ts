import { UsageError } from '../errors.js';
import { consul } from './consul/index.js';
import { etcd } from './etcd/index.js';
import { redis } from './redis/index.js';
import type { System } from './system.js';
import { zookeeperSystem } from './zookeeper/index.js';

export type { Health, StartOptions, System } from './system.js';
export { consul, etcd, redis, zookeeperSystem as zookeeper };

/** Every database faultline can test, by the name users type. */
export const systems = {
  redis,
  zookeeper: zookeeperSystem,
  etcd,
  consul,
} as const;

export type SystemName = keyof typeof systems;
export const systemNames = Object.keys(systems) as SystemName[];

export function isSystemName(name: string): name is SystemName {
  return Object.hasOwn(systems, name);
}

/** The system called `name`, or a UsageError listing the valid names. */
export function systemNamed(name: string): System {
  if (!isSystemName(name)) {
    throw new UsageError(`unknown system "${name}"`, `choose one of: ${systemNames.join(', ')}`);
  }
  return systems[name] as System;
}
