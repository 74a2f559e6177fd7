import type { Command } from 'commander';
import { connectDocker } from '../../cluster/docker/engine.js';
import { DockerProvider, MAX_NODES, removeLabelled } from '../../cluster/docker/docker-provider.js';
import type { Cluster, ClusterSummary, NodeProvider } from '../../cluster/node.js';
import { UsageError } from '../../errors.js';
import { PROVIDER_NAMES, chosenProvider } from '../../cluster/providers.js';
import type { SshProvider } from '../../cluster/ssh/ssh-provider.js';
import { bringUp, DEFAULT_HEALTH_TIMEOUT_MS } from '../../systems/bring-up.js';
import { type SystemDescriptor, builtinSystemNames, loadSystem } from '../../systems/index.js';
import { progress } from './images.js';
import { type NodeLimitFlags, addNodeLimitOptions, nodeLimits } from './node-limits.js';

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('long-lived development clusters');

  const upCommand = cluster
    .command('up')
    .description('start a healthy cluster that stays up after this command exits')
    .requiredOption('-s, --system <name>', `${builtinSystemNames.join('|')}, or a plugin module`)
    .option('-n, --nodes <count>', `number of nodes (1-${MAX_NODES})`, '3')
    .option('--name <name>', 'a name to refer to the cluster by (default: <system>-<id>)')
    .option('--timeout <seconds>', 'how long to wait for the cluster to become healthy', String(DEFAULT_HEALTH_TIMEOUT_MS / 1000));
  withProvider(addNodeLimitOptions(upCommand)).action(async (opts: { system: string; nodes: string; name?: string; timeout: string } & NodeLimitFlags & ProviderFlags) => {
    const system = await loadSystem(opts.system);
    const nodes = positiveInt('--nodes', opts.nodes);
    const resources = nodeLimits(system, opts);
    const timeoutMs = positiveInt('--timeout', opts.timeout) * 1000;
    const ssh = await sshProvider(opts);
    const provider: NodeProvider = ssh ?? new DockerProvider(await connectDocker());
    const p = progress();
    const image = await provider.prepare({ name: system.name, ...system.install }, (l) => p.line(l));
    let up: Cluster;
    try {
      up = await bringUp(provider, system, {
        nodes,
        image,
        healthTimeoutMs: timeoutMs,
        resources,
        log: (l) => p.line(`${system.name}: ${l}`),
        ...(opts.name === undefined ? {} : { name: opts.name }),
      });
    } catch (err) {
      p.fail();
      throw err;
    }
    // An SSH cluster outlives this process through its hosts' locks, which now say so.
    await ssh?.persist(up.id);
    p.done(`${system.name} cluster ${up.id} is healthy`);
    process.stdout.write(describeUp(up, system, provider.removeHint?.(up.id)));
  });

  cluster
    .command('ls')
    .description('list faultline clusters (from any invocation)')
    .option('--json', 'print JSON')
    .option('--provider <name>', `where the nodes are: ${PROVIDER_NAMES.join('|')}`, 'docker')
    .option('--hosts <file>', 'ssh: the hosts file; the clusters are read from the locks on its hosts')
    .action(async (opts: { json?: boolean } & ProviderFlags) => {
      const clusters = await ((await sshProvider(opts)) ?? new DockerProvider(await connectDocker())).list();
      process.stdout.write(opts.json === true ? `${JSON.stringify(clusters, null, 2)}\n` : formatList(clusters));
    });

  cluster
    .command('down')
    .description('remove a cluster (by id, id prefix or name), or all of them')
    .argument('[id]', 'the cluster to remove')
    .option('--all', 'remove every faultline cluster')
    .option('--provider <name>', `where the nodes are: ${PROVIDER_NAMES.join('|')}`, 'docker')
    .option('--hosts <file>', 'ssh: the hosts file')
    .action(async (id: string | undefined, opts: { all?: boolean } & ProviderFlags) => {
      if ((id === undefined) === (opts.all !== true)) {
        throw new UsageError('give either a cluster id or --all', 'see the ids with `faultline cluster ls`');
      }
      const ssh = await sshProvider(opts);
      if (ssh !== undefined) {
        if (opts.all === true) {
          const names = await ssh.resetAll();
          process.stdout.write(`reset ${names.join(', ')} and freed their locks\n`);
          return;
        }
        const found = await ssh.attach(id ?? '');
        await ssh.destroy(found.id);
        process.stdout.write(`removed ${found.system} cluster ${found.id} (${found.name}): ${found.nodes.map((n) => n.name).join(', ')} reset and freed\n`);
        return;
      }
      const docker = await connectDocker();
      if (opts.all === true) {
        const removed = await removeLabelled(docker);
        process.stdout.write(`removed ${removed.containers} containers and ${removed.networks} networks\n`);
        return;
      }
      const provider = new DockerProvider(docker);
      const found = await provider.find(id ?? '');
      await provider.destroy(found.id);
      process.stdout.write(`removed ${found.system} cluster ${found.id} (${found.name})\n`);
    });
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

interface ProviderFlags {
  provider?: string;
  hosts?: string;
}

function withProvider(c: Command): Command {
  return c
    .option('--provider <name>', `where the nodes come from: ${PROVIDER_NAMES.join('|')}`, 'docker')
    .option('--hosts <file>', 'ssh: the hosts file (YAML list or SSH config; see docs/providers.md)');
}

/** The SSH provider when the flags ask for it (a bad hosts file is an exit-3 line now); undefined for Docker. */
async function sshProvider(flags: ProviderFlags): Promise<SshProvider | undefined> {
  const provider = await chosenProvider(flags);
  if (provider === undefined) return undefined;
  if (provider.name !== 'ssh') throw new UsageError(`cluster commands do not know the ${provider.name} provider`);
  // Loaded on demand by chosenProvider: the class is not imported here, so a Docker command never loads ssh2.
  return provider as SshProvider;
}

export function describeUp(cluster: Cluster, system: SystemDescriptor, removeHint?: string): string {
  const lines = [
    `cluster ${cluster.id} (${cluster.name}): ${cluster.nodes.length} ${system.name} nodes`,
    ...cluster.nodes.map((n) => `  ${n.name}  ${n.address}:${system.port}`),
    ...(system.connectHint === undefined ? [] : [`connect: ${system.connectHint(cluster)}`]),
    `remove:  ${removeHint ?? `faultline cluster down ${cluster.id}`}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function formatList(clusters: readonly ClusterSummary[]): string {
  if (clusters.length === 0) return 'no faultline clusters\n';
  const rows = clusters.map((c) => [
    c.id,
    c.name,
    c.system,
    c.nodes.map((n) => `${n.name}=${n.address}${n.state === 'running' ? '' : `(${n.state})`}`).join(' '),
    c.createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
  ]);
  const header = ['ID', 'NAME', 'SYSTEM', 'NODES', 'CREATED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (r: readonly string[]): string => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[header, ...rows].map(format).join('\n')}\n`;
}
