import { run } from '../../cluster/node.js';
import { isRunning, stopDaemon } from '../daemon.js';
import type { Membership } from '../descriptor.js';
import { consulServer } from './server.js';

/**
 * Consul's graceful membership change: `consul leave` on the server takes it out of the Raft
 * configuration and stops the agent; starting the agent again rejoins it through `retry_join`
 * (Consul's documented way back for a server that left).
 */
export const consulMembership: Membership = {
  async remove(_cluster, node) {
    await run(node, ['consul', 'leave'], { timeoutMs: 20_000 });
    await stopDaemon(node, 'consul');
  },
  async add(cluster, node) {
    // start is a no-op on a running agent: a refused leave leaves it running and a member.
    const running = await isRunning(node, 'consul');
    await consulServer.start(cluster, node);
    return running ? 'member' : 'added';
  },
};
