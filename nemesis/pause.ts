import type { Cluster } from '../src/cluster/node.js';
import type { Nemesis } from '../src/runner/nemesis.js';
import type { SystemDescriptor as System } from '../src/systems/descriptor.js';
import { type AimSettings, leaderLeaseAim } from './aims.js';
import { processFaultNemesis } from './process-faults.js';

/**
 * SIGSTOP the database on the targets (`start-pause`); SIGCONT (`stop-pause`, heal). Aimed at
 * `leader-lease`, the stop holds the leader paused past the election timeout and the lease TTL.
 */
export function pauseNemesis(system: System, cluster: Cluster, settings?: AimSettings): Nemesis {
  const { pause, resume } = system;
  if (pause === undefined || resume === undefined) throw new Error(`${system.name} has no way to pause and resume its process`);
  return processFaultNemesis(cluster, {
    fault: 'pause',
    signal: 'SIGSTOP',
    act: (node) => pause.call(system, node),
    undo: (node) => resume.call(system, node),
    ...(settings === undefined ? {} : { aims: { 'leader-lease': (leader: string) => leaderLeaseAim(system, cluster, leader, settings) } }),
  });
}
