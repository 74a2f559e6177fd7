import { basename, join, relative } from 'node:path';
import type { Cluster } from '../cluster/node.js';
import type { Json } from '../history/event.js';
import { errorText } from '../runner/outcome.js';
import type { SystemDescriptor as System } from './descriptor.js';

/** A log file that could not be copied, and why. */
export interface MissingLog {
  readonly node: string;
  readonly file: string;
  readonly error: string;
}

export interface NodeLogs {
  /** Local paths, `dir/<node>/<file>`, in node order. */
  readonly copied: string[];
  readonly missing: MissingLog[];
}

/**
 * Copies every node's database logs to `dir/<node>/<file>`, each file on its own: a node
 * that died or vanished costs its own logs, never the others' (the dead node's are usually
 * the ones worth reading, and a stopped container's are still copied). Never throws.
 */
export async function collectLogs(system: System, cluster: Cluster, dir: string): Promise<NodeLogs> {
  const attempts = cluster.nodes.flatMap((node) =>
    (system.logFiles ?? []).map(async (file) => {
      const dest = join(dir, node.name, basename(file));
      try {
        await node.copyOut(file, dest);
        return { dest };
      } catch (err) {
        // The node is a field of its own: drop it from the front of the message.
        const error = errorText(err).replace(new RegExp(`^${node.name}: `), '');
        return { missing: { node: node.name, file, error } };
      }
    }),
  );
  const copied: string[] = [];
  const missing: MissingLog[] = [];
  for (const r of await Promise.all(attempts)) {
    if (r.dest !== undefined) copied.push(r.dest);
    else missing.push(r.missing);
  }
  return { copied, missing };
}

/** One line per missing log, for the run's warnings. */
export function describeMissingLogs(logs: NodeLogs): string[] {
  return logs.missing.map((m) => `${m.node}: log ${m.file} not copied: ${m.error}`);
}

/** What results.json records: the copies (relative to the run directory) and what is missing, with why. */
export function nodeLogsJson(logs: NodeLogs, runDir: string): Json {
  return {
    copied: logs.copied.map((p) => relative(runDir, p).split('\\').join('/')),
    missing: logs.missing.map((m) => ({ node: m.node, file: m.file, error: m.error })),
  };
}
