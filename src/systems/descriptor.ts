import type { ConsistencyModel } from '../checker/txn/models.js';
import type { Cluster, Node } from '../cluster/node.js';
import type { NodeResources } from '../cluster/resources.js';
import type { CapabilityName } from '../runner/capabilities.js';
import type { CapabilityClient, ClientOptions } from './client-options.js';

/** One look at a cluster's health: healthy, or which node is not (yet) and why. */
export type Health = { readonly healthy: true } | { readonly healthy: false; readonly node: string; readonly detail: string };

export interface StartOptions {
  /** Extra environment for the database process (e.g. libfaketime's LD_PRELOAD). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The software a node needs, as Debian packages: the Docker provider bakes them into an
 * image layer, the SSH provider installs them on each host with apt. `prepare` runs first
 * (as root, in sh), e.g. to add another release's source with a pin.
 * @public
 */
export interface InstallSpec {
  readonly packages: readonly string[];
  readonly prepare?: string;
}

/**
 * A read path users choose between (`--read-mode`), with what the system's transactions
 * promise through it: the consistency model the transactional checker holds them to unless
 * `--consistency` says otherwise.
 * @public
 */
export interface ReadMode {
  readonly name: string;
  readonly summary: string;
  readonly consistency: ConsistencyModel;
}

/**
 * How a node leaves and rejoins the cluster's membership (etcd `member remove/add`, Consul
 * `leave` and rejoin): what the member fault needs. `remove` takes the node out of the
 * configuration (its process stops); `add` brings it back as a member again, from empty data
 * where the system requires that. Both act through the other members' own tools.
 * @public
 */
export interface Membership {
  remove(cluster: Cluster, node: Node): Promise<void>;
  /** `member`: it still was one (a removal the system refused), nothing done. */
  add(cluster: Cluster, node: Node): Promise<'added' | 'member'>;
}

/**
 * A system's workload client: which capabilities it can honestly offer, its read modes (the
 * first is the default), and how one process connects to one node.
 * @public
 */
export interface SystemClient {
  readonly capabilities: readonly CapabilityName[];
  readonly readModes: readonly ReadMode[];
  /** Connects one process's client to `node` (it must not perform any workload operation). */
  open(cluster: Cluster, node: Node, options: ClientOptions): Promise<CapabilityClient>;
}

/**
 * An HTTP endpoint of the database whose responses carry a `Date` header read from the
 * process's own wall clock (Go's net/http sets it from time.Now() on every response): how
 * the offset a vDSO clock fault put into the process is measured.
 * @public
 */
export interface HttpDateProbe {
  readonly port: number;
  readonly path: string;
}

/**
 * How a clock fault reaches the database: libfaketime preloaded at start (the libraries to
 * preload, in order; a command that prints the clock the database sees, when it can say);
 * the process's vDSO clock functions redirected at run time by faultline-vdso-clock (for
 * runtimes that read time through the vDSO, not libc, such as Go; `daemon` names the pid
 * file the database was started with, `/run/faultline/<daemon>.pid`; needs CAP_SYS_PTRACE,
 * which only runs with clock faults get); or a reason it cannot be moved — recorded as
 * "not applied", never pretended.
 * @public
 */
export type ClockSupport =
  | { readonly via: 'faketime'; readonly preload: readonly string[]; readonly probe?: string }
  | { readonly via: 'vdso'; readonly daemon: string; readonly probe?: HttpDateProbe }
  | { readonly via: 'none'; readonly reason: string };

/** What shows a leader lease at one moment: the leader's term (epoch) and the leases (sessions) alive. @public */
export interface LeaseEvidence {
  readonly term: number;
  readonly leases: number;
}

/** A node's count of snapshots sent to and received from its peers, as its metrics or log show them. @public */
export interface SnapshotTransfers {
  readonly sent: number;
  readonly received: number;
}

/**
 * What faults aimed at a state (`--targets leader-lease`, `lagging-follower`,
 * `primary-with-clients`) need to know of a system: without the matching part, the target is
 * refused before anything starts.
 * @public
 */
export interface StateSupport {
  /** `leader-lease`: how long followers wait on a silent leader, and how term and leases are read. */
  readonly leaderLease?: {
    /** Followers elect another leader after this much silence (ms), as the system is configured. */
    readonly electionTimeoutMs: number;
    /** The term and the leases alive, read on `node` (one that is not paused). */
    evidence(node: Node): Promise<LeaseEvidence>;
  };
  /** `lagging-follower`: when the leader sends a follower a snapshot instead of log entries. */
  readonly snapshots?: {
    /** The system option setting how often a snapshot is taken (`snapshot-count`); the target needs it set. */
    readonly option: string;
    /** How many log entries a follower must miss before only a snapshot can catch it up, given the option's value. */
    lagNeeded(snapshotCount: number): number;
    /** The node's position in the replicated log (Raft index, zxid counter). */
    position(node: Node): Promise<number>;
    transfers(node: Node): Promise<SnapshotTransfers>;
    /** Appends about `entries` entries through `leader` to a key no workload uses: the log grows even when the workload is slow. Returns how many were written. */
    fill?(cluster: Cluster, leader: Node, entries: number, signal: AbortSignal): Promise<number>;
  };
  /** `primary-with-clients`: the client connections the primary holds and how many commands it has processed. */
  readonly primaryClients?: {
    /** The port clients connect to (new connections to it are dropped from the clients' addresses). */
    readonly port: number;
    /** The remote address of each client connection (replication links and loopback left out). */
    clients(node: Node): Promise<string[]>;
    commands(node: Node): Promise<number>;
    /** Whether `node` takes itself for a primary (a replica promoted on the majority side does). */
    isPrimary(node: Node): Promise<boolean>;
  };
}

/**
 * A file of the database's worth corrupting (`--nemesis corrupt-file`): its WAL, a snapshot,
 * an append-only file. `name` is what `--corrupt-file` takes (`wal`, `snapshot`); `glob` is a
 * shell pattern relative to `dataDir`, of which the most recently modified match is chosen.
 * @public
 */
export interface CorruptibleFile {
  readonly name: string;
  readonly summary: string;
  readonly glob: string;
}

/**
 * An option of one system (`--redis-sentinel`, `--redis-wait 1`): its flag is
 * `--<system>-<name>`, its value is kept in the test spec's `systemOptions` and recorded in
 * test.json. `check` says what is wrong with a value for a cluster of `nodes` nodes.
 * @public
 */
export interface SystemOption {
  readonly name: string;
  readonly summary: string;
  readonly type: 'boolean' | 'integer' | 'string';
  readonly choices?: readonly string[];
  check?(value: boolean | number | string, cluster: { readonly nodes: number }): string | undefined;
}

export type SystemOptionValues = Readonly<Record<string, boolean | number | string>>;

/**
 * Everything faultline knows about a database, in one place: the software, the lifecycle on
 * a node, the health check, the client, the faults it supports and how, its options. The
 * required part is small (install, configure, start, probe, client); the rest is optional,
 * as Jepsen's `Primary` and `LogFiles` protocols are — a fault that needs a missing part is
 * refused before anything starts. Built-in systems and plugins (`defineSystem`) are the same.
 * @public
 */
export interface SystemDescriptor {
  /** The name users type (`--system redis`); for a plugin, the name it reports under. */
  readonly name: string;
  readonly summary: string;
  readonly install: InstallSpec;
  /** The client port (the one a user connects to). */
  readonly port: number;
  /** Files worth copying out after a run. */
  readonly logFiles?: readonly string[];
  /** A shell command whose first line of output names the version, run on a node. */
  readonly versionCommand?: string;
  /** Node limits unless a test sets its own (memory, CPU, pids). */
  readonly resources?: Partial<NodeResources>;
  /**
   * The directory holding everything the database must not lose (its data, WAL, AOF): disk
   * faults put their file system over it. Without it, disk faults are refused.
   */
  readonly dataDir?: string;
  /** The files the corrupt-file fault may damage (under `dataDir`); without any, it is refused. */
  readonly corruptibleFiles?: readonly CorruptibleFile[];
  /**
   * An extended regular expression matching the database's own log lines about a slow disk
   * (etcd's "slow fdatasync"): the slow-disk fault counts them, as the effect it had.
   */
  readonly slowDiskWarning?: string;

  /** Writes config (and ids) for this node's role in the cluster. */
  configure(cluster: Cluster, node: Node): Promise<void>;
  /** Starts the database on a configured node; a no-op when it already runs. */
  start(cluster: Cluster, node: Node, options?: StartOptions): Promise<void>;
  /** One health check of the whole cluster. */
  probe(cluster: Cluster): Promise<Health>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop?(node: Node): Promise<void>;
  /** Whether the database process is alive on the node (the corrupt-file fault watches a restart with it). */
  running?(node: Node): Promise<boolean>;
  /** Needed by the kill fault (with `start` to restart). */
  kill?(node: Node): Promise<void>;
  /** Needed, with `resume`, by the pause fault. */
  pause?(node: Node): Promise<void>;
  resume?(node: Node): Promise<void>;
  /** Removes the database's data (the node stopped); `configure` restores ids. */
  wipe?(cluster: Cluster, node: Node): Promise<void>;
  /** Needed by the member fault. */
  readonly membership?: Membership;
  /** The node currently leading (Raft/ZAB leader, Redis primary): needed by `leader` targets and routing. */
  leader?(cluster: Cluster): Promise<Node | undefined>;
  /** How a person connects to this cluster by hand (printed by `cluster up`). */
  connectHint?(cluster: Cluster): string;

  readonly client: SystemClient;
  /** What faults aimed at a state can use (default: none, and such targets are refused). */
  readonly states?: StateSupport;
  /** How clock faults reach it (default: they cannot, and runs asking for them say so). */
  readonly clock?: ClockSupport;
  readonly options?: readonly SystemOption[];
  /** This system as the chosen options make it (Redis with Sentinel): the options' values are checked first. */
  adapt?(values: SystemOptionValues): SystemDescriptor;
}

/** A system client supplied on its own, for a built-in system (`--client ./my-lock-client.js`). @public */
export interface ClientPlugin {
  /** The system it speaks to (a built-in name). */
  readonly system: string;
  readonly name: string;
  readonly client: SystemClient;
}

/**
 * Declares a system (a plugin's default export, or a built-in's `index.ts`): checks the
 * required parts are there, so a mistake shows when the module loads, not mid-run.
 * @public
 */
export function defineSystem(d: SystemDescriptor): SystemDescriptor {
  const missing = (['name', 'summary', 'install', 'port', 'configure', 'start', 'probe', 'client'] as const).filter((k) => d[k] === undefined);
  if (missing.length > 0) throw new TypeError(`defineSystem: missing ${missing.join(', ')}`);
  if (!/^[a-z][a-z0-9-]*$/.test(d.name)) throw new TypeError(`defineSystem: name "${d.name}" must be lower-case letters, digits and "-"`);
  if (d.client.readModes.length === 0) throw new TypeError(`defineSystem(${d.name}): the client needs at least one read mode`);
  return Object.freeze({ ...d });
}

/** Declares a client for a built-in system (a plugin's default export). @public */
export function defineClient(c: ClientPlugin): ClientPlugin {
  if (c.client.readModes.length === 0) throw new TypeError(`defineClient(${c.name}): the client needs at least one read mode`);
  return Object.freeze({ ...c });
}
