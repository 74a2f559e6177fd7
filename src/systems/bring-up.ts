import { InfrastructureError } from '../errors.js';
import type { Cluster, NodePrivileges, NodeProvider } from '../cluster/node.js';
import type { NodeResources } from '../cluster/resources.js';
import { newClusterId } from '../cluster/node.js';
import { onInterrupt } from '../cluster/teardown.js';
import { sleep, tailLog } from './daemon.js';
import type { StartOptions, SystemDescriptor as System } from './descriptor.js';

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export interface BringUpOptions {
  readonly nodes: number;
  readonly image: string;
  readonly name?: string;
  readonly healthTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** How the database is started on every node (extra environment, e.g. libfaketime). */
  readonly startOptions?: StartOptions;
  /** Each node's limits (memory, CPU, pids). */
  readonly resources?: NodeResources;
  /** Capabilities and devices beyond NET_ADMIN (only for faults that need them). */
  readonly privileges?: NodePrivileges;
}

/**
 * Creates nodes, configures and starts the database on each, and waits until the cluster is
 * really healthy. Whatever happens before that — an error, SIGINT, SIGTERM — the nodes are
 * removed; once healthy the cluster outlives this process until someone tears it down.
 */
export async function bringUp(provider: NodeProvider, system: System, options: BringUpOptions): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const id = newClusterId();
  const abort = new AbortController();
  let creating: Promise<unknown> = Promise.resolve();
  // One removal however many paths ask for it (the interrupt and the failing bring-up race).
  let destroying: Promise<void> | undefined;
  const destroy = (): Promise<void> => (destroying ??= provider.destroy(id));
  const unregister = onInterrupt(`cluster ${id}`, async () => {
    // Stop creating first, and let an in-flight container creation land, so the sweep sees it.
    abort.abort();
    await creating.catch(() => undefined);
    await destroy();
  });
  const stillWanted = (): void => {
    if (abort.signal.aborted) throw new InfrastructureError(`bringing up cluster ${id} was interrupted`);
  };
  try {
    log(`creating ${options.nodes} nodes`);
    const created = provider.create({
      id,
      system: system.name,
      nodes: options.nodes,
      image: options.image,
      signal: abort.signal,
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.resources === undefined ? {} : { resources: options.resources }),
      ...(options.privileges === undefined ? {} : { privileges: options.privileges }),
    });
    creating = created;
    const cluster = await created;
    stillWanted();
    log(`starting ${system.name} on ${cluster.nodes.map((n) => n.name).join(' ')}`);
    await Promise.all(cluster.nodes.map((n) => system.configure(cluster, n)));
    stillWanted();
    await Promise.all(cluster.nodes.map((n) => system.start(cluster, n, options.startOptions)));
    stillWanted();
    log('waiting until healthy');
    await waitHealthy(system, cluster, Date.now() + (options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS));
    return cluster;
  } catch (err) {
    await destroy();
    throw err;
  } finally {
    unregister();
  }
}

/**
 * Polls the system's health check until it passes; past the deadline, fails naming the node
 * that was not healthy and the end of its log.
 */
/**
 * How long a cluster must stay healthy before it counts as healthy: a freshly formed
 * ZooKeeper ensemble has been seen to pass one probe and then have a member stop serving
 * for a moment while it syncs, and a test that starts in that moment measures start-up,
 * not the system.
 */
export const STABLE_HEALTH_MS = 1_000;

export async function waitHealthy(system: System, cluster: Cluster, deadline: number): Promise<void> {
  const started = Date.now();
  let healthySince: number | undefined;
  for (;;) {
    const health = await system.probe(cluster);
    if (health.healthy) {
      healthySince ??= Date.now();
      if (Date.now() - healthySince >= STABLE_HEALTH_MS) return;
      await sleep(200);
      continue;
    }
    healthySince = undefined;
    if (Date.now() >= deadline) {
      const node = cluster.nodes.find((n) => n.name === health.node) ?? cluster.nodes[0];
      const logFile = system.logFiles?.[0];
      const tail = node === undefined || logFile === undefined ? '' : await tailLog(node, logFile, 8).catch(() => '');
      const seconds = Math.round((Date.now() - started) / 1000);
      throw new InfrastructureError(
        `${system.name} cluster ${cluster.id} not healthy after ${seconds} s: ${health.node}: ${health.detail} (its containers are removed)`,
        `the end of ${health.node}:${logFile ?? '?'}:\n    ${tail.split('\n').join('\n    ')}\n  a slow machine may need a longer --timeout`,
      );
    }
    await sleep(200);
  }
}
