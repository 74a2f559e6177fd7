import { basename, join } from 'node:path';
import type { Cluster } from '../cluster/node.js';
import type { System } from './system.js';

/** Copies every node's database logs to `dir/<node>/<file>`; returns the local paths. */
export async function collectLogs(system: System, cluster: Cluster, dir: string): Promise<string[]> {
  const copied = await Promise.all(
    cluster.nodes.flatMap((node) =>
      system.logFiles.map(async (file) => {
        const dest = join(dir, node.name, basename(file));
        await node.copyOut(file, dest);
        return dest;
      }),
    ),
  );
  return copied;
}
