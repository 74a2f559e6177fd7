import type { Cluster } from '../src/cluster/node.js';
import type { Nemesis } from '../src/runner/nemesis.js';
import type { StartOptions, SystemDescriptor as System } from '../src/systems/descriptor.js';
import { processFaultNemesis } from './process-faults.js';

/** SIGKILL the database on the targets (`start-kill`); restart it on its data (`stop-kill`, heal). */
export function killNemesis(system: System, cluster: Cluster, startOptions?: StartOptions): Nemesis {
  const kill = system.kill;
  if (kill === undefined) throw new Error(`${system.name} has no way to kill its process`);
  return processFaultNemesis(cluster, {
    fault: 'kill',
    signal: 'SIGKILL',
    act: (node) => kill.call(system, node),
    // start is a no-op where the database still runs, so healing may restart every node.
    undo: (node) => system.start(cluster, node, startOptions),
  });
}
