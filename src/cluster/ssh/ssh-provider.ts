import { InfrastructureError, UsageError } from '../../errors.js';
import { COMMON_PACKAGES } from '../common-packages.js';
import { type ClockReading, localBootId, restoreHostClock } from '../host-clock.js';
import { newClusterId, type Cluster, type ClusterSpec, type ClusterSummary, type NodeProvider, type NodeSoftware } from '../node.js';
import type { HostEntry } from './hosts-file.js';
import { type HostFacts, installScript, parseProbe, PROBE_SCRIPT, resetScript } from './host-scripts.js';
import { SshConnection } from './ssh-connection.js';
import { SshNode, commandLine } from './ssh-node.js';
import { ACQUIRE_SCRIPT, HOST_LOCK, type HostLock, READ_SCRIPT, RELEASE_SCRIPT, describeHolder, isStale, lockRecord, parseLock, pidAlive } from './host-lock.js';
import { hostname } from 'node:os';

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
  /** Host clocks by default (machines of their own); the database process's clock on request, which works whatever kernel the hosts share. */
  readonly clockScopes = ['host', 'process'] as const;
  /** Host clocks a reset found moved (a run killed before it could heal) and set back: the residual offset each shows after. */
  readonly clockResets = new Map<string, ClockReading>();
  private readonly connections: SshConnection[];
  private readonly facts = new Map<string, HostFacts>();
  private readonly clusters = new Map<string, { cluster: Cluster; createdAt: Date }>();
  /** The lock JSON this process wrote on each host it holds. */
  private readonly held = new Map<string, string>();

  /** `file`: the hosts file, for the commands hints print. */
  constructor(
    readonly hosts: readonly HostEntry[],
    private readonly file = 'HOSTS',
  ) {
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

  removeHint(clusterId: string): string {
    return `faultline cluster down ${clusterId} --provider ssh --hosts ${this.file}`;
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
    const createdAt = new Date();
    // Locked before anything is touched: a host another run holds is not reset under it.
    await this.lock(used, lockRecord({ cluster: id, name, system: spec.system, nodes: used.map((c) => c.host.name), holder: 'run', bootId: await localBootId(), createdAt }));
    // Recorded before the reset: a destroy during it (an interrupt) still finds the hosts.
    this.clusters.set(id, { cluster, createdAt });
    spec.signal?.throwIfAborted();
    await this.reset(used);
    return cluster;
  }

  /**
   * Makes a cluster outlive this process (`cluster up`): its hosts' locks say `cluster`
   * instead of this run, so no later run takes them as stale; `cluster down` frees them.
   */
  async persist(id: string): Promise<void> {
    const entry = this.clusters.get(id);
    if (entry === undefined) throw new UsageError(`no cluster ${id} in this process`);
    const names = new Set(entry.cluster.nodes.map((n) => n.name));
    const used = this.connections.filter((c) => names.has(c.host.name));
    const record = lockRecord({ cluster: id, name: entry.cluster.name, system: entry.cluster.system, nodes: entry.cluster.nodes.map((n) => n.name), holder: 'cluster', bootId: await localBootId(), createdAt: entry.createdAt });
    await this.onEach(used, async (c) => {
      const held = this.held.get(c.host.name);
      const r = await this.lockCommand(c, ACQUIRE_SCRIPT, JSON.stringify(record), held ?? '');
      if (!r.startsWith('acquired')) throw new InfrastructureError(`${c.host.name}: the lock changed hands: ${r.split('\n').slice(1).join(' ')}`);
      this.held.set(c.host.name, JSON.stringify(record));
    });
    this.clusters.delete(id);
    this.close();
  }

  /** A cluster of this process, or one whose hosts' locks name it (`cluster up` from another invocation). */
  async attach(idOrName: string): Promise<Cluster> {
    const matches = (id: string, name: string): boolean => id === idOrName || name === idOrName || id.startsWith(idOrName);
    const own = [...this.clusters.values()].find((c) => matches(c.cluster.id, c.cluster.name));
    if (own !== undefined) return own.cluster;
    const found = [...(await this.locks()).values()].find((l) => l !== undefined && matches(l.cluster, l.name));
    if (found === undefined) {
      throw new UsageError(`no cluster ${idOrName} on these SSH hosts`, 'see `faultline cluster ls --provider ssh --hosts FILE`');
    }
    const nodes = found.nodes.map((n) => this.connections.find((c) => c.host.name === n));
    if (nodes.some((c) => c === undefined)) throw new UsageError(`cluster ${found.cluster} uses hosts this hosts file does not name: ${found.nodes.join(', ')}`);
    const cluster: Cluster = { id: found.cluster, name: found.name, system: found.system, nodes: nodes.map((c) => this.node(c!)) };
    this.clusters.set(cluster.id, { cluster, createdAt: new Date(found.createdAt) });
    return cluster;
  }

  /** The clusters the hosts' locks name (from any faultline process or control machine), with the hosts each holds. */
  async list(): Promise<ClusterSummary[]> {
    const here = { bootId: await localBootId(), control: hostname(), alive: pidAlive };
    const byCluster = new Map<string, { lock: HostLock; hosts: string[] }>();
    for (const [host, lock] of await this.locks()) {
      if (lock === undefined) continue;
      const entry = byCluster.get(lock.cluster) ?? { lock, hosts: [] };
      entry.hosts.push(host);
      byCluster.set(lock.cluster, entry);
    }
    this.close();
    return [...byCluster.values()].map(({ lock, hosts }) => ({
      id: lock.cluster,
      name: lock.name,
      system: lock.system,
      nodes: lock.nodes.map((n) => ({
        name: n,
        address: this.hosts.find((h) => h.name === n)?.address ?? '?',
        state: !hosts.includes(n) ? 'not locked' : lock.holder === 'cluster' ? 'running' : isStale(lock, here) ? 'stale: its run is gone' : `run by ${lock.control} pid ${lock.pid}`,
      })),
      createdAt: new Date(lock.createdAt),
    }));
  }

  /** Resets the cluster's hosts (none for an id `create` refused: it touched nothing) and frees their locks; the connections then close. */
  async destroy(id: string): Promise<void> {
    let names = new Set(this.clusters.get(id)?.cluster.nodes.map((n) => n.name) ?? []);
    if (names.size === 0) names = new Set([...(await this.locks())].filter(([, l]) => l?.cluster === id).map(([h]) => h));
    const used = this.connections.filter((c) => names.has(c.host.name));
    try {
      await this.reset(used);
    } finally {
      this.clusters.delete(id);
      try {
        await this.onEach(used, async (c) => {
          await this.lockCommand(c, RELEASE_SCRIPT, id);
          this.held.delete(c.host.name);
        });
      } finally {
        if (this.clusters.size === 0) this.close();
      }
    }
  }

  /**
   * Resets every host of the file, whatever run left them (`faultline clean --hosts`): for a
   * run killed with SIGKILL, which could not reset them itself. Returns the hosts' names.
   */
  async resetAll(): Promise<string[]> {
    try {
      await this.probeAll();
      // A run of this machine still going is not reset under it; anything else (a `cluster up` cluster, a killed run, another control machine's run) is.
      const here = { bootId: await localBootId(), control: hostname(), alive: pidAlive };
      const live = [...(await this.locks())].filter(([, l]) => l !== undefined && l.holder === 'run' && !isStale(l, here));
      if (live.length > 0) {
        throw new UsageError(`${live.map(([h, l]) => `${h} is in use by the ${describeHolder(l!)}`).join('; ')}`, 'wait for that run to end, or stop it (Ctrl-C heals and frees the hosts)');
      }
      await this.reset(this.connections);
      await this.onEach(this.connections, async (c) => {
        await c.run(commandLine(['rm', '-f', HOST_LOCK], {}, c.host.user), { timeoutMs: 30_000 });
      });
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
   * Disk faults are refused (see below). A host-scope clock fault moves the clock of whatever
   * shares the host's kernel. A host that is a container (or the machine faultline runs on)
   * shares this machine's kernel — and one host sharing another's makes a fault on one a fault
   * on both: refused, with the hosts named. A process-scope clock fault moves only the
   * database's clock, so a shared kernel does not matter.
   */
  async refuseFault(kind: string, o: { readonly clockScope?: 'process' | 'host' } = {}): Promise<string | undefined> {
    // The disk layer (faultline-fs, FUSE) is built into the Docker images only.
    if (kind === 'lose-unfsynced' || kind === 'slow-disk') return 'disk faults need faultline-fs under the data directory, which only the Docker provider\'s images carry';
    if (kind !== 'clock' || o.clockScope === 'process') return undefined;
    await this.probeAll();
    const local = await localBootId().catch(() => '');
    const sharing = this.hosts.filter((h) => this.facts.get(h.name)?.bootId === local).map((h) => h.name);
    if (sharing.length > 0) {
      return `clock faults on SSH hosts need hosts with kernels of their own: ${sharing.join(', ')} ${sharing.length === 1 ? 'shares' : 'share'} the kernel of the machine running faultline (same /proc/sys/kernel/random/boot_id; containers, not machines), and setting ${sharing.length === 1 ? 'its' : 'their'} clock would set this machine's`;
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

  /**
   * A host whose clock a run moved and could not set back (killed with SIGKILL, or its heal
   * failed) has it set back to this machine's time first — the residual is kept in
   * `clockResets` — then the daemons, chains and files go.
   */
  private async reset(connections: readonly SshConnection[]): Promise<void> {
    const control = await localBootId();
    await this.onEach(connections, async (c) => {
      const residual = await restoreHostClock(this.node(c), control);
      if (residual !== undefined) this.clockResets.set(c.host.name, residual);
      const r = await c.run(commandLine(['sh', '-c', resetScript()], {}, c.host.user), { timeoutMs: 60_000 });
      const left = r.stdout.toString('utf8').trim();
      if (r.exitCode !== 0 || left !== '') {
        throw new InfrastructureError(`${c.host.name}: resetting the host failed (exit ${r.exitCode}): ${left || r.stderr.toString('utf8').trim()}`);
      }
    });
  }

  /** Takes every host's lock, or none: a host held by a live holder makes it a UsageError naming it (the locks taken are given back). */
  private async lock(used: readonly SshConnection[], record: HostLock): Promise<void> {
    const json = JSON.stringify(record);
    const here = { bootId: record.bootId, control: record.control, alive: pidAlive };
    const busy: string[] = [];
    const taken: SshConnection[] = [];
    await this.onEach(used, async (c) => {
      let out = await this.lockCommand(c, ACQUIRE_SCRIPT, json, '');
      if (out.startsWith('held')) {
        const holderText = out.split('\n').slice(1).join('\n').trim();
        const holder = parseLock(holderText);
        if (isStale(holder, here)) out = await this.lockCommand(c, ACQUIRE_SCRIPT, json, holderText);
        if (out.startsWith('held')) {
          const now = parseLock(out.split('\n').slice(1).join('\n'));
          busy.push(`${c.host.name} is in use by the ${now === undefined ? 'holder of an unreadable lock' : describeHolder(now)}`);
          return;
        }
      }
      if (!out.startsWith('acquired')) throw new InfrastructureError(`${c.host.name}: cannot take the lock ${HOST_LOCK}: ${out}`);
      taken.push(c);
      this.held.set(c.host.name, json);
    });
    if (busy.length === 0) return;
    await this.onEach(taken, async (c) => {
      await this.lockCommand(c, RELEASE_SCRIPT, record.cluster);
      this.held.delete(c.host.name);
    });
    throw new UsageError(`the SSH hosts are busy: ${busy.join('; ')}`, 'two faultline runs never share hosts: wait, `faultline cluster down ID --provider ssh --hosts FILE` for a `cluster up` cluster, or `faultline clean --hosts FILE` for a run that is gone');
  }

  /** Every host's lock holder (undefined: no lock, or one that says nothing readable). */
  private async locks(): Promise<Map<string, HostLock | undefined>> {
    const out = new Map<string, HostLock | undefined>();
    await this.onEach(this.connections, async (c) => {
      out.set(c.host.name, parseLock(await this.lockCommand(c, READ_SCRIPT)));
    });
    return new Map(this.hosts.map((h) => [h.name, out.get(h.name)]));
  }

  private async lockCommand(c: SshConnection, script: string, ...args: string[]): Promise<string> {
    const r = await c.run(commandLine(['sh', '-c', script, 'sh', ...args], {}, c.host.user), { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new InfrastructureError(`${c.host.name}: the lock ${HOST_LOCK}: exit ${r.exitCode}: ${r.stderr.toString('utf8').trim()}`);
    return r.stdout.toString('utf8').trim();
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
