import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { Label, readOwner } from '../labels.js';
import { type Owner, type OwnerState, ownerState, processRunning } from '../owner.js';
import { removeLabelled } from './docker-provider.js';

/** Everything one cluster (one `faultline.run` id) has on the engine. */
export interface RunResources {
  readonly id: string;
  readonly name: string;
  readonly system: string;
  readonly owner: Owner | undefined;
  readonly containers: number;
  readonly networks: number;
}

export interface CleanDecision {
  readonly run: RunResources;
  readonly remove: boolean;
  /** Why, as a clause: "its CLI (pid 812 on build-3) is gone". */
  readonly why: string;
}

export interface CleanOptions {
  /** Remove whatever the owner, even runs another CLI is still running. */
  readonly all: boolean;
  /** This host's name (owners elsewhere cannot be checked). */
  readonly here: string;
  readonly isRunning: (pid: number, start: string | undefined) => boolean;
}

/**
 * What `faultline clean` does with each cluster: by default it removes only those whose
 * CLI is certainly gone — made on this host by a process that no longer runs. A cluster
 * another CLI is still testing is kept, and so is one made on another host or by a faultline
 * that recorded no owner, where nothing can be known: removing a live run would corrupt
 * someone's test, keeping a dead one costs only memory. `all` removes everything.
 */
export function decideClean(runs: readonly RunResources[], o: CleanOptions): CleanDecision[] {
  return runs.map((run) => {
    const state = ownerState(run.owner, o.here, o.isRunning);
    const why = describeOwner(run.owner, state);
    return { run, remove: o.all || state.state === 'gone', why };
  });
}

function describeOwner(owner: Owner | undefined, s: OwnerState): string {
  switch (s.state) {
    case 'gone':
      return `its CLI (pid ${owner?.pid} on this host) is gone`;
    case 'alive':
      return `its CLI (pid ${owner?.pid} on this host) is still running`;
    case 'elsewhere':
      return `made on host ${s.host}, where its CLI cannot be checked from here`;
    case 'unknown':
      return 'no owner recorded (made by an older faultline)';
  }
}

/** `*` matches any run of characters; the pattern must match the whole name or id. */
export function matchesPattern(run: Pick<RunResources, 'id' | 'name'>, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(run.name) || re.test(run.id);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every faultline cluster on the engine (containers and networks alike), optionally only those matching `pattern`. */
export async function findRuns(docker: Docker, pattern?: string): Promise<RunResources[]> {
  const filters = { label: [Label.run] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  const runs = new Map<string, { labels: Record<string, string>; containers: number; networks: number }>();
  const add = (labels: Record<string, string> | undefined, kind: 'containers' | 'networks'): void => {
    const id = labels?.[Label.run];
    if (labels === undefined || id === undefined) return;
    const entry = runs.get(id) ?? { labels, containers: 0, networks: 0 };
    entry[kind]++;
    // The first resource with owner labels speaks for the run (all of a run's carry the same).
    if (readOwner(entry.labels) === undefined) entry.labels = labels;
    runs.set(id, entry);
  };
  for (const c of containers) add(c.Labels, 'containers');
  for (const n of networks) add(n.Labels, 'networks');
  return [...runs.entries()]
    .map(([id, e]) => ({
      id,
      name: e.labels[Label.cluster] ?? id,
      system: e.labels[Label.system] ?? '?',
      owner: readOwner(e.labels),
      containers: e.containers,
      networks: e.networks,
    }))
    .filter((r) => pattern === undefined || matchesPattern(r, pattern))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Decides, and (unless `dryRun`) removes what was decided; returns the decisions and what was removed. */
export async function clean(
  docker: Docker,
  o: { all: boolean; dryRun: boolean; pattern?: string },
): Promise<{ decisions: CleanDecision[]; removed: { containers: number; networks: number } }> {
  const runs = await findRuns(docker, o.pattern);
  const decisions = decideClean(runs, { all: o.all, here: hostname(), isRunning: processRunning });
  const removed = { containers: 0, networks: 0 };
  if (o.dryRun) return { decisions, removed };
  const counts = await Promise.all(decisions.filter((d) => d.remove).map((d) => removeLabelled(docker, { [Label.run]: d.run.id })));
  for (const c of counts) {
    removed.containers += c.containers;
    removed.networks += c.networks;
  }
  return { decisions, removed };
}
