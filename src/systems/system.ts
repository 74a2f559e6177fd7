import type { Cluster, Node } from '../cluster/node.js';

/** One look at a cluster's health: healthy, or which node is not (yet) and why. */
export type Health = { readonly healthy: true } | { readonly healthy: false; readonly node: string; readonly detail: string };

export interface StartOptions {
  /** Extra environment for the database process (e.g. libfaketime's LD_PRELOAD). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A database the runner can drive: everything it does goes through `Node.exec`, so an adapter
 * works on any NodeProvider. The database runs as a child process the adapter starts; stopping,
 * killing or pausing it leaves the node (container) itself alone.
 */
export interface System<TClient = unknown> {
  readonly name: string;
  /** The client port (the one a user connects to). */
  readonly port: number;
  /** Files worth copying out after a run. */
  readonly logFiles: readonly string[];
  /** Writes config (and ids) for this node's role in the cluster. */
  configure(cluster: Cluster, node: Node): Promise<void>;
  /** Starts the database on a configured node; a no-op when it already runs. */
  start(cluster: Cluster, node: Node, options?: StartOptions): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(node: Node): Promise<void>;
  kill(node: Node): Promise<void>;
  pause(node: Node): Promise<void>;
  resume(node: Node): Promise<void>;
  /** Removes the database's data (the node should be stopped); `configure` restores ids. */
  wipe(cluster: Cluster, node: Node): Promise<void>;
  /** One health check, as the issue defines it for this system. */
  probe(cluster: Cluster): Promise<Health>;
  /** The node currently leading (Raft/ZAB leader, Redis primary), if any. */
  leader(cluster: Cluster): Promise<Node | undefined>;
  /** A real library client bound to one node, connected, with timeouts and no hidden retries. */
  connect(node: Node, cluster: Cluster): Promise<TClient>;
  close(client: TClient): Promise<void>;
  /** How a person connects to this cluster by hand (printed by `cluster up`). */
  connectHint(cluster: Cluster): string;
}
