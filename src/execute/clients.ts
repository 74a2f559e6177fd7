import type { Cluster, Node } from '../cluster/node.js';
import { type RunPlan, planRun } from './plan.js';
import { parseTestSpec } from '../spec/test-spec.js';
import { nodeByName } from '../../nemesis/partition.js';
import type { Client, OpenClient } from '../runner/client.js';
import type { ClientFactory } from '../runner/client-host.js';

/** Each process's client: the system's capabilities on one node, driven by the workload. */
export function workloadClients(plan: RunPlan, cluster: Cluster): OpenClient {
  const options = {
    readMode: plan.readMode.name,
    lockTtlMs: plan.spec.lockTtlMs,
    callTimeoutMs: plan.spec.opTimeoutMs,
    systemOptions: plan.spec.systemOptions,
  };
  return async (nodeName): Promise<Client> => {
    const cc = await plan.client.open(cluster, nodeByName(cluster, nodeName), options);
    return {
      node: nodeName,
      // What the workload throws is classified by the worker, with these first (no wrapper per call).
      classifiers: cc.classifiers,
      invoke: (op, signal) => plan.workload.invoke(cc.capabilities, op, { signal }, plan.workloadOptions),
      close: () => cc.close(),
    };
  };
}

/** What a client process needs to build the same clients: the spec and where the nodes are. */
interface Payload {
  readonly spec: unknown;
  readonly cluster: { readonly id: string; readonly name: string; readonly system: string; readonly nodes: readonly { readonly name: string; readonly address: string }[] };
}

/** The factory ClientHosts starts each worker's client process with, for this plan and cluster. */
export function workloadClientFactory(plan: RunPlan, cluster: Cluster): ClientFactory {
  const payload: Payload = {
    spec: JSON.parse(JSON.stringify(plan.spec)) as unknown,
    cluster: { id: cluster.id, name: cluster.name, system: cluster.system, nodes: cluster.nodes.map((n) => ({ name: n.name, address: n.address })) },
  };
  return { module: import.meta.url, payload };
}

/** In a client process: the clients of `workloadClientFactory`'s payload (nodes reachable by address only; plugins loaded again). */
export async function createOpenClient(payload: unknown): Promise<OpenClient> {
  const p = payload as Payload;
  const spec = parseTestSpec(p.spec);
  const plan = await planRun(spec);
  const nowhere = (): never => {
    throw new Error('a client process cannot run commands on nodes');
  };
  const nodes: Node[] = p.cluster.nodes.map((n) => ({ name: n.name, address: n.address, exec: nowhere, copyOut: nowhere, writeFile: nowhere }));
  return workloadClients(plan, { id: p.cluster.id, name: p.cluster.name, system: p.cluster.system, nodes });
}
