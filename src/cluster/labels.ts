import type { ClusterSummary } from './node.js';
import type { Owner } from './owner.js';

/**
 * Every container and network faultline creates carries these labels, so that another
 * invocation (`cluster ls`, `cluster down`, `clean`) can find and describe it with nothing
 * but the engine's state: no files on the host to get out of date.
 */
export const Label = {
  run: 'faultline.run',
  cluster: 'faultline.cluster',
  system: 'faultline.system',
  node: 'faultline.node',
  address: 'faultline.address',
  created: 'faultline.created',
  /** The creating CLI (see owner.ts): pid, host name, and the process's start time. */
  ownerPid: 'faultline.owner.pid',
  ownerHost: 'faultline.owner.host',
  ownerStart: 'faultline.owner.start',
} as const;

/** The owner labels every container and network of a cluster carries. */
export function ownerLabels(owner: Owner): Record<string, string> {
  return {
    [Label.ownerPid]: String(owner.pid),
    [Label.ownerHost]: owner.host,
    ...(owner.start === undefined ? {} : { [Label.ownerStart]: owner.start }),
  };
}

/** The owner the labels name, if they name one completely. */
export function readOwner(labels: Readonly<Record<string, string>>): Owner | undefined {
  const pid = Number(labels[Label.ownerPid]);
  const host = labels[Label.ownerHost];
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined || host === '') return undefined;
  const start = labels[Label.ownerStart];
  return { pid, host, ...(start === undefined ? {} : { start }) };
}

export interface NodeLabels {
  readonly run: string;
  readonly cluster: string;
  readonly system: string;
  readonly node: string;
  readonly address: string;
  readonly created: Date;
  readonly owner: Owner;
}

export function nodeLabels(labels: NodeLabels): Record<string, string> {
  return {
    ...ownerLabels(labels.owner),
    [Label.run]: labels.run,
    [Label.cluster]: labels.cluster,
    [Label.system]: labels.system,
    [Label.node]: labels.node,
    [Label.address]: labels.address,
    [Label.created]: labels.created.toISOString(),
  };
}

export interface LabelledContainer {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
}

/** Groups labelled containers into clusters, nodes in n1…nN order, oldest cluster first. */
export function summarize(containers: readonly LabelledContainer[]): ClusterSummary[] {
  const byRun = new Map<string, { summary: Omit<ClusterSummary, 'nodes'>; nodes: ClusterSummary['nodes'][number][] }>();
  for (const c of containers) {
    const run = c.labels[Label.run];
    if (run === undefined) continue;
    let entry = byRun.get(run);
    if (entry === undefined) {
      entry = {
        summary: {
          id: run,
          name: c.labels[Label.cluster] ?? run,
          system: c.labels[Label.system] ?? '?',
          createdAt: new Date(c.labels[Label.created] ?? 0),
        },
        nodes: [],
      };
      byRun.set(run, entry);
    }
    entry.nodes.push({ name: c.labels[Label.node] ?? '?', address: c.labels[Label.address] ?? '?', state: c.state });
  }
  return [...byRun.values()]
    .map(({ summary, nodes }) => ({ ...summary, nodes: nodes.sort((a, b) => nodeIndex(a.name) - nodeIndex(b.name)) }))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

function nodeIndex(name: string): number {
  const n = Number(name.replace(/^n/, ''));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}
