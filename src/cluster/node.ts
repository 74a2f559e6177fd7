import { randomBytes } from 'node:crypto';
import { InfrastructureError } from '../errors.js';
import type { NodeResources } from './resources.js';

/**
 * What a database adapter and the runner may do with a machine, whatever provides it
 * (Docker today, SSH later). Nothing here mentions containers.
 */
export interface ExecOptions {
  /** Start the command and return at once (the database daemons run this way). */
  readonly detach?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** Give up waiting after this long (the command may keep running on the node). */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** -1 for a detached command (its exit is never observed). */
  readonly exitCode: number;
}

export interface Node {
  /** `n1` … `nN`, resolvable by the other nodes. */
  readonly name: string;
  /** An IPv4 address the other nodes and this host can reach. */
  readonly address: string;
  /** Runs argv (no shell) on the node. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Copies one file from the node to a local path. */
  copyOut(path: string, dest: string): Promise<void>;
  /** Writes a file on the node, creating its folder. */
  writeFile(path: string, content: string): Promise<void>;
}

export interface ClusterSpec {
  /** Chosen by the caller when it must know the id before creation ends (to tear down on SIGINT). */
  readonly id?: string;
  readonly system: string;
  readonly nodes: number;
  /** A human name; defaults to the cluster id. */
  readonly name?: string;
  /** The image (or machine role) the nodes run. */
  readonly image: string;
  /** Limits for each node; none when absent (a provider may not support them all). */
  readonly resources?: NodeResources;
  /** Stops creating nodes (an interrupt): `create` then rejects, leaving the rest to `destroy`. */
  readonly signal?: AbortSignal;
  /** What the nodes get beyond the default (NET_ADMIN): only runs whose faults need it ask. */
  readonly privileges?: NodePrivileges;
}

/** Extra capabilities and devices for every node of a cluster (disk faults: SYS_ADMIN and /dev/fuse). */
export interface NodePrivileges {
  readonly capAdd: readonly string[];
  readonly devices: readonly string[];
}

export interface Cluster {
  readonly id: string;
  readonly name: string;
  readonly system: string;
  readonly nodes: readonly Node[];
}

/** A cluster as found by listing (possibly created by another process). */
export interface ClusterSummary {
  readonly id: string;
  readonly name: string;
  readonly system: string;
  readonly nodes: readonly { readonly name: string; readonly address: string; readonly state: string }[];
  readonly createdAt: Date;
}

/**
 * The software a node needs, as Debian packages (a system descriptor's `install`, named):
 * the Docker provider bakes it into an image, an SSH provider installs it on each host.
 * `prepare` runs first, as root, in sh (e.g. adding another release's source with a pin).
 */
export interface NodeSoftware {
  readonly name: string;
  readonly packages: readonly string[];
  readonly prepare?: string;
}

export interface NodeProvider {
  /** `docker`, `ssh`: what `--provider` names it. */
  readonly name: string;
  /**
   * Makes `software` available on the nodes this provider creates — an image built (or found
   * built), packages installed — and returns what a ClusterSpec's `image` should say.
   */
  prepare(software: NodeSoftware, log: (line: string) => void): Promise<string>;
  /**
   * Why this provider's nodes cannot take a fault kind (SSH hosts sharing a kernel cannot
   * have their clocks moved apart); undefined when they can. Asked after `prepare`, before
   * any node is touched.
   */
  refuseFault?(kind: string, o?: { readonly clockScope?: 'process' | 'host' }): Promise<string | undefined>;
  /**
   * What a clock fault can move on these nodes, the default first: the database process's
   * clock (libfaketime / the vDSO helper), and on machines with kernels of their own the
   * host's. Absent: `['process']`.
   */
  readonly clockScopes?: readonly ('process' | 'host')[];
  /** How a person removes a cluster left running (`--leave-running`); default: `faultline cluster down ID`. */
  removeHint?(clusterId: string): string;
  /** How a person gets a shell on a node, for hints in messages (`docker exec -it … sh`). */
  shellHint(node: string, clusterId: string): string;
  create(spec: ClusterSpec): Promise<Cluster>;
  /** Finds a cluster this or another process created, by id or name. */
  attach(idOrName: string): Promise<Cluster>;
  list(): Promise<ClusterSummary[]>;
  /** Removes the cluster's nodes and network; idempotent. */
  destroy(id: string): Promise<void>;
}

export function newClusterId(): string {
  return randomBytes(4).toString('hex');
}

/** Runs a shell script on the node (for pipelines and redirections). */
export function sh(node: Node, script: string, options?: ExecOptions): Promise<ExecResult> {
  return node.exec(['sh', '-c', script], options);
}

/** What a script on a node printed as one JSON object (a status line, a lock file), or undefined for anything else. */
export function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text.trim());
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command and fails with its stderr unless it exits 0. */
export async function run(node: Node, argv: readonly string[], options?: ExecOptions): Promise<string> {
  const result = await node.exec(argv, options);
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
    throw new InfrastructureError(
      `${node.name}: \`${argv.join(' ')}\` exited ${result.exitCode}: ${detail}`,
      'the node is still up: inspect it with `docker exec` or `faultline cluster ls`',
    );
  }
  return result.stdout;
}
