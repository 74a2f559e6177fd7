import type { Cluster } from '../src/cluster/node.js';
import type { Nemesis } from '../src/runner/nemesis.js';
import type { System } from '../src/systems/system.js';
import { processFaultNemesis } from './process-faults.js';

/** SIGSTOP the database on the targets (`start-pause`); SIGCONT (`stop-pause`, heal). */
export function pauseNemesis(system: System, cluster: Cluster): Nemesis {
  return processFaultNemesis(cluster, {
    fault: 'pause',
    signal: 'SIGSTOP',
    act: (node) => system.pause(node),
    undo: (node) => system.resume(node),
  });
}
