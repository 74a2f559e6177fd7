import type { Node } from '../../cluster/node.js';
import { run } from '../../cluster/node.js';
import type { StateSupport } from '../descriptor.js';
import { REDIS_PORT } from './config.js';

/** From `CLIENT LIST`: the remote address of each ordinary client (no replica links, no loopback). */
export function parseClientAddresses(list: string): string[] {
  const out: string[] = [];
  for (const line of list.split('\n')) {
    const addr = /(?:^|\s)addr=([0-9.]+):\d+/.exec(line)?.[1];
    const flags = /(?:^|\s)flags=(\S+)/.exec(line)?.[1] ?? '';
    if (addr === undefined || addr.startsWith('127.') || flags.includes('S') || flags.includes('M')) continue;
    out.push(addr);
  }
  return out;
}

/** From `INFO stats`: total_commands_processed. */
export function parseCommandsProcessed(info: string): number | undefined {
  const n = /^total_commands_processed:(\d+)/m.exec(info)?.[1];
  return n === undefined ? undefined : Number(n);
}

const cli = (node: Node, ...args: string[]): Promise<string> => run(node, ['redis-cli', '-p', String(REDIS_PORT), ...args], { timeoutMs: 5_000 });

/** Redis under `primary-with-clients`: the primary's client connections and its command count. */
export const redisStates: StateSupport = {
  primaryClients: {
    port: REDIS_PORT,
    clients: async (node) => parseClientAddresses(await cli(node, 'CLIENT', 'LIST')),
    async commands(node) {
      const n = parseCommandsProcessed(await cli(node, 'INFO', 'stats'));
      if (n === undefined) throw new Error(`no total_commands_processed in INFO of ${node.name}`);
      return n;
    },
    isPrimary: async (node) => (await cli(node, 'ROLE')).split('\n')[0]?.trim() === 'master',
  },
};
