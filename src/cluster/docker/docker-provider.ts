import { randomInt } from 'node:crypto';
import type Docker from 'dockerode';
import { InfrastructureError, UsageError } from '../../errors.js';
import { Label, nodeLabels, ownerLabels, summarize } from '../labels.js';
import { currentOwner } from '../owner.js';
import { newClusterId, type Cluster, type ClusterSpec, type ClusterSummary, type NodeProvider, type NodeSoftware } from '../node.js';
import { ensureImages } from './image-build.js';
import type { NodeResources } from '../resources.js';
import { DockerNode } from './docker-node.js';
import { pickSubnet, type Subnet } from './subnets.js';

export const MAX_NODES = 15;

/**
 * One user-defined bridge network per cluster and one container per node. PID 1 is Docker's
 * init (tini) running `sleep infinity`, so a database started with `docker exec -d` can be
 * killed, paused and restarted without recreating its container, and its zombies are reaped.
 */
export class DockerProvider implements NodeProvider {
  readonly name = 'docker';

  constructor(private readonly docker: Docker) {}

  /** Base → common layer → the system's layer, each reused when its content hash is unchanged. */
  async prepare(software: NodeSoftware, log: (line: string) => void): Promise<string> {
    const built = (await ensureImages(this.docker, [software], log)).get(software.name);
    if (built === undefined) throw new InfrastructureError(`no image was built for ${software.name}`);
    return built.ref;
  }

  shellHint(node: string, clusterId: string): string {
    return `docker exec -it faultline-${clusterId}-${node} sh`;
  }

  async create(spec: ClusterSpec): Promise<Cluster> {
    if (!Number.isInteger(spec.nodes) || spec.nodes < 1 || spec.nodes > MAX_NODES) {
      throw new UsageError(`--nodes must be an integer from 1 to ${MAX_NODES}, got ${spec.nodes}`);
    }
    const id = spec.id ?? newClusterId();
    const name = spec.name ?? `${spec.system}-${id}`;
    try {
      return await this.createNodes(id, name, spec);
    } catch (err) {
      await this.destroy(id);
      throw err;
    }
  }

  private async createNodes(id: string, name: string, spec: ClusterSpec): Promise<Cluster> {
    const created = new Date();
    spec.signal?.throwIfAborted();
    const { network, subnet } = await this.createNetwork(id, name, spec.system);
    const indexes = Array.from({ length: spec.nodes }, (_, k) => k + 1);
    // In parallel: creating and starting containers one by one costs ~0.4 s per node.
    const settled = await Promise.allSettled(
      indexes.map(async (i) => {
        spec.signal?.throwIfAborted();
        const nodeName = `n${i}`;
        const address = subnet.address(i);
        const container = await this.docker.createContainer({
          name: `faultline-${id}-${nodeName}`,
          Hostname: nodeName,
          Image: spec.image,
          Cmd: ['sleep', 'infinity'],
          Labels: nodeLabels({ run: id, cluster: name, system: spec.system, node: nodeName, address, created, owner: currentOwner() }),
          HostConfig: {
            Init: true,
            CapAdd: ['NET_ADMIN', ...(spec.privileges?.capAdd ?? [])],
            ...(spec.privileges === undefined || spec.privileges.devices.length === 0
              ? {}
              : { Devices: spec.privileges.devices.map((d) => ({ PathOnHost: d, PathInContainer: d, CgroupPermissions: 'rwm' })) }),
            NetworkMode: network,
            ...(spec.resources === undefined ? {} : cgroupLimits(spec.resources)),
          },
          NetworkingConfig: {
            EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: address }, Aliases: [nodeName] } },
          },
        });
        spec.signal?.throwIfAborted();
        await container.start();
        return new DockerNode(this.docker, container.id, nodeName, address);
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const nodes = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    return { id, name, system: spec.system, nodes };
  }

  async attach(idOrName: string): Promise<Cluster> {
    const summary = await this.find(idOrName);
    const containers = await this.containers({ [Label.run]: summary.id });
    const nodes = summary.nodes.map((n) => {
      const c = containers.find((x) => x.Labels[Label.node] === n.name);
      if (c === undefined) throw new InfrastructureError(`cluster ${summary.id}: node ${n.name} vanished`);
      return new DockerNode(this.docker, c.Id, n.name, n.address);
    });
    return { id: summary.id, name: summary.name, system: summary.system, nodes };
  }

  async list(): Promise<ClusterSummary[]> {
    const containers = await this.containers({});
    return summarize(containers.map((c) => ({ labels: c.Labels, state: c.State })));
  }

  async destroy(id: string): Promise<void> {
    await removeLabelled(this.docker, { [Label.run]: id });
  }

  /** Resolves an id, an id prefix or a cluster name to exactly one cluster. */
  async find(idOrName: string): Promise<ClusterSummary> {
    const all = await this.list();
    const matches = all.filter((c) => c.id === idOrName || c.name === idOrName || c.id.startsWith(idOrName));
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    const known = all.map((c) => `${c.id} (${c.name})`).join(', ') || 'none';
    if (matches.length === 0) {
      throw new UsageError(`no faultline cluster is called ${idOrName}`, `running clusters: ${known}`);
    }
    throw new UsageError(`${idOrName} matches ${matches.length} clusters`, `use a full id: ${known}`);
  }

  private async containers(labels: Record<string, string>): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
  }

  private async createNetwork(id: string, name: string, system: string): Promise<{ network: string; subnet: Subnet }> {
    // Another faultline may pick the same free subnet at the same moment: the engine refuses
    // the second one ("overlaps"), and we try the next.
    for (let attempt = 0; attempt < 8; attempt++) {
      const networks = await this.docker.listNetworks();
      const inUse = networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
      const subnet = pickSubnet(inUse, randomInt(256));
      if (subnet === undefined) break;
      const network = `faultline-${id}`;
      try {
        await this.docker.createNetwork({
          Name: network,
          Driver: 'bridge',
          CheckDuplicate: true,
          IPAM: { Driver: 'default', Config: [{ Subnet: subnet.cidr, Gateway: subnet.gateway }] },
          Labels: { [Label.run]: id, [Label.cluster]: name, [Label.system]: system, ...ownerLabels(currentOwner()) },
        });
        return { network, subnet };
      } catch (err) {
        if (!/overlap/i.test(String(err))) throw err;
      }
    }
    throw new InfrastructureError(
      'no free /24 for a cluster network under 10.213.0.0/16',
      'remove old clusters with `faultline clean`',
    );
  }
}

/** The engine's names for the limits; swap equal to memory means no swap beyond the limit. */
export function cgroupLimits(r: NodeResources): { Memory: number; MemorySwap: number; NanoCpus: number; PidsLimit: number } {
  const memory = r.memoryMiB * 1024 * 1024;
  return { Memory: memory, MemorySwap: memory, NanoCpus: Math.round(r.cpus * 1e9), PidsLimit: r.pids };
}

function labelFilters(labels: Record<string, string>): string[] {
  const filters = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return filters.length > 0 ? filters : [Label.run];
}

/**
 * Force-removes every container, then every network, carrying the labels (all faultline
 * resources when none are given). Returns what was removed; tolerates things vanishing
 * under it (another `clean` running at the same time).
 */
export async function removeLabelled(
  docker: Docker,
  labels: Record<string, string> = {},
): Promise<{ containers: number; networks: number }> {
  const filters = { label: labelFilters(labels) };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(ignoreMissing)));
  return { containers: containers.length, networks: networks.length };
}

function ignoreMissing(err: unknown): void {
  if (/no such|not found|404|removal of container .* is already in progress/i.test(String(err))) return;
  throw err;
}
