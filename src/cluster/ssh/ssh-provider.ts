import { readFile } from 'node:fs/promises';
import { InfrastructureError, UsageError } from '../../errors.js';
import { COMMON_PACKAGES } from '../common-packages.js';
import { newClusterId, type Cluster, type ClusterSpec, type ClusterSummary, type NodeProvider, type NodeSoftware } from '../node.js';
import type { HostEntry } from './hosts-file.js';
import { type HostFacts, installScript, parseProbe, PROBE_SCRIPT, resetScript } from './host-scripts.js';
import { SshConnection } from './ssh-connection.js';
import { SshNode, commandLine } from './ssh-node.js';

const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * Machines named in a hosts file, reached over SSH (as Jepsen's control node reaches its
 * nodes). `prepare` installs the system's Debian packages where they are missing; a cluster
 * is the first N hosts, reset to a clean state; the database runs under the same pid-file
 * daemon the Docker path uses; `destroy` kills it, removes every FAULTLINE iptables chain and
 * the systems' files. The hosts are not created or removed: a cluster here is a lease on them
 * for the life of this process.
 */
export class SshProvider implements NodeProvider {
  readonly name = 'ssh';
  private readonly connections: SshConnection[];
  private readonly facts = new Map<string, HostFacts>();
  private readonly clusters = new Map<string, { cluster: Cluster; createdAt: Date }>();

  constructor(readonly hosts: readonly HostEntry[]) {
    this.connections = hosts.map((h) => new SshConnection(h));
  }

  async prepare(software: NodeSoftware, log: (line: string) => void): Promise<string> {
    await this.probeAll();
    const packages = [...new Set([...COMMON_PACKAGES, ...software.packages])];
    const script = installScript(software, packages);
    await this.onEach(this.connections, async (c) => {
      const node = this.node(c);
      const r = await node.exec(['sh', '-c', script], { timeoutMs: INSTALL_TIMEOUT_MS });
      if (r.exitCode !== 0) {
        const tail = r.stderr.trim().split('\n').slice(-4).join(' | ');
        throw new InfrastructureError(`${c.host.name}: installing ${software.name}'s packages failed (exit ${r.exitCode}): ${tail}`, 'the host needs apt-get and a reachable Debian mirror');
      }
      const said = r.stdout.trim().split('\n').pop() ?? '';
      log(`${c.host.name}: ${said === 'present' ? `${software.name}'s packages are present` : said}`);
    });
    return `ssh:${software.name}`;
  }

  shellHint(node: string): string {
    const h = this.hosts.find((x) => x.name === node);
    return h === undefined ? `ssh ${node}` : `ssh -i ${h.keyPath} -p ${h.port} ${h.user}@${h.address}`;
  }

  removeHint(): string {
    return 'the next faultline run on these hosts removes it; or kill the pids in /run/faultline/*.pid';
  }

  async create(spec: ClusterSpec): Promise<Cluster> {
    if (!Number.isInteger(spec.nodes) || spec.nodes < 1 || spec.nodes > this.hosts.length) {
      throw new UsageError(`--nodes ${spec.nodes}: the hosts file names ${this.hosts.length} hosts`, `use --nodes ${Math.min(this.hosts.length, 3)}, or add hosts`);
    }
    const busy = [...this.clusters.keys()][0];
    if (busy !== undefined) throw new UsageError(`the SSH hosts are in use by cluster ${busy}`, 'one cluster at a time on one hosts file: tear it down first');
    const id = spec.id ?? newClusterId();
    const name = spec.name ?? `${spec.system}-${id}`;
    const used = this.connections.slice(0, spec.nodes);
    const cluster: Cluster = { id, name, system: spec.system, nodes: used.map((c) => this.node(c)) };
    // Recorded first: a destroy during the reset (an interrupt) still finds the hosts.
    this.clusters.set(id, { cluster, createdAt: new Date() });
    spec.signal?.throwIfAborted();
    await this.reset(used);
    return cluster;
  }

  async attach(idOrName: string): Promise<Cluster> {
    const found = [...this.clusters.values()].find((c) => c.cluster.id === idOrName || c.cluster.name === idOrName || c.cluster.id.startsWith(idOrName));
    if (found === undefined) {
      throw new UsageError(`no cluster ${idOrName} on these SSH hosts`, 'an SSH cluster lives as long as the faultline process that made it; the hosts file is the cluster');
    }
    return found.cluster;
  }

  async list(): Promise<ClusterSummary[]> {
    return [...this.clusters.values()].map(({ cluster, createdAt }) => ({
      id: cluster.id,
      name: cluster.name,
      system: cluster.system,
      nodes: cluster.nodes.map((n) => ({ name: n.name, address: n.address, state: 'host' })),
      createdAt,
    }));
  }

  /** Resets the cluster's hosts (none for an id `create` refused: it touched nothing); the connections then close. */
  async destroy(id: string): Promise<void> {
    const names = new Set(this.clusters.get(id)?.cluster.nodes.map((n) => n.name) ?? []);
    try {
      await this.reset(this.connections.filter((c) => names.has(c.host.name)));
    } finally {
      this.clusters.delete(id);
      if (this.clusters.size === 0) this.close();
    }
  }

  /**
   * Resets every host of the file, whatever run left them (`faultline clean --hosts`): for a
   * run killed with SIGKILL, which could not reset them itself. Returns the hosts' names.
   */
  async resetAll(): Promise<string[]> {
    try {
      await this.probeAll();
      await this.reset(this.connections);
    } finally {
      this.close();
    }
    return this.hosts.map((h) => h.name);
  }

  /** Closes the SSH connections (they reopen if the provider is used again). */
  close(): void {
    for (const c of this.connections) c.close();
  }

  /**
   * Disk faults are refused (see below). Clock faults move the time of whatever shares the host's kernel. A host that is a
   * container (or the machine faultline runs on) shares this machine's kernel — and one
   * host sharing another's makes a fault on one a fault on both: refused, with the hosts named.
   */
  async refuseFault(kind: string): Promise<string | undefined> {
    // The disk layer (faultline-fs, FUSE) is built into the Docker images only.
    if (kind === 'lose-unfsynced' || kind === 'slow-disk') return 'disk faults need faultline-fs under the data directory, which only the Docker provider\'s images carry';
    if (kind !== 'clock') return undefined;
    await this.probeAll();
    const local = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
    const sharing = this.hosts.filter((h) => this.facts.get(h.name)?.bootId === local).map((h) => h.name);
    if (sharing.length > 0) {
      return `clock faults on SSH hosts need hosts with kernels of their own: ${sharing.join(', ')} ${sharing.length === 1 ? 'shares' : 'share'} the kernel of the machine running faultline (same /proc/sys/kernel/random/boot_id; containers, not machines)`;
    }
    const byBoot = new Map<string, string[]>();
    for (const h of this.hosts) {
      const boot = this.facts.get(h.name)?.bootId ?? h.name;
      byBoot.set(boot, [...(byBoot.get(boot) ?? []), h.name]);
    }
    const shared = [...byBoot.values()].find((names) => names.length > 1);
    if (shared !== undefined) return `clock faults on SSH hosts need hosts with kernels of their own: ${shared.join(' and ')} share one (same boot_id)`;
    return undefined;
  }

  /** Connects to every host and learns who we are there; refuses a user without root or passwordless sudo. */
  private async probeAll(): Promise<void> {
    await this.onEach(this.connections, async (c) => {
      if (this.facts.has(c.host.name)) return;
      const r = await c.run(PROBE_SCRIPT, { timeoutMs: 30_000 });
      const facts = parseProbe(r.stdout.toString('utf8'));
      if (facts === undefined) throw new InfrastructureError(`${c.host.name}: cannot tell who ${c.host.user} is there (id -u, boot_id): ${r.stderr.toString('utf8').trim()}`);
      if (facts.uid !== 0 && !facts.sudo) {
        throw new InfrastructureError(`${c.host.name}: ${c.host.user} is not root and has no passwordless sudo`, 'faultline needs root on the hosts (iptables, signals, apt-get): use root, or add `USER ALL=(ALL) NOPASSWD: ALL` in /etc/sudoers.d/');
      }
      this.facts.set(c.host.name, facts);
    });
  }

  private async reset(connections: readonly SshConnection[]): Promise<void> {
    await this.onEach(connections, async (c) => {
      const r = await c.run(commandLine(['sh', '-c', resetScript()], {}, c.host.user), { timeoutMs: 60_000 });
      const left = r.stdout.toString('utf8').trim();
      if (r.exitCode !== 0 || left !== '') {
        throw new InfrastructureError(`${c.host.name}: resetting the host failed (exit ${r.exitCode}): ${left || r.stderr.toString('utf8').trim()}`);
      }
    });
  }

  private node(c: SshConnection): SshNode {
    return new SshNode(c, c.host.name, c.host.address);
  }

  /** Runs on every connection at once; every failure is reported (one line each), not only the first. */
  private async onEach(connections: readonly SshConnection[], f: (c: SshConnection) => Promise<void>): Promise<void> {
    const settled = await Promise.allSettled(connections.map(f));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (failed.length === 0) return;
    if (failed.length === 1) throw failed[0];
    const first = failed[0];
    const text = (e: unknown): string => (e instanceof Error ? e.message : String(e));
    throw new InfrastructureError(failed.map(text).join('; '), first instanceof InfrastructureError ? first.hint : undefined);
  }
}
