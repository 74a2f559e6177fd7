import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider } from '../../src/cluster/docker/docker-provider.js';
import { Label } from '../../src/cluster/labels.js';
import type { Cluster, Node } from '../../src/cluster/node.js';
import { bringUp, waitHealthy } from '../../src/systems/bring-up.js';
import { collectLogs } from '../../src/systems/logs.js';
import { type SystemDescriptor as System, builtinSystem } from '../../src/systems/index.js';
import { packageRoot } from '../../src/version.js';

/**
 * Integration tests need a Docker engine: without one they fail (connectDocker throws),
 * they never skip. CI installs and starts one in .ci/run.
 */
export interface TestCluster {
  readonly docker: Docker;
  readonly provider: DockerProvider;
  readonly system: System;
  readonly cluster: Cluster;
}

export async function startTestCluster(systemName: string, nodes = 3): Promise<TestCluster> {
  const docker = await connectDocker();
  const system = builtinSystem(systemName);
  const provider = new DockerProvider(docker);
  const image = await provider.prepare({ name: system.name, ...system.install }, () => undefined);
  const cluster = await bringUp(provider, system, { nodes, image, name: `it-${system.name}-${process.pid}` });
  return { docker, provider, system, cluster };
}

/** The built CLI, as a user runs it. */
export const cliPath = join(packageRoot, 'bin', 'faultline.js');

export async function runCli(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [cliPath, ...args], { timeout: 120_000 });
}

/** Containers and networks still carrying the label (`key=value`, or just `key`). */
export async function labelled(docker: Docker, label: string): Promise<{ containers: number; networks: number }> {
  const filters = { label: [label] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.length, networks: networks.length };
}

/** `cluster down` through the CLI, then nothing with the cluster's run label remains. */
export async function downAndAssertGone(t: TestCluster): Promise<void> {
  const before = await labelled(t.docker, `${Label.run}=${t.cluster.id}`);
  assert.deepEqual(before, { containers: t.cluster.nodes.length, networks: 1 });
  const { stdout } = await runCli(['cluster', 'down', t.cluster.id]);
  assert.match(stdout, new RegExp(`removed ${t.system.name} cluster ${t.cluster.id}`));
  assert.deepEqual(await labelled(t.docker, `${Label.run}=${t.cluster.id}`), { containers: 0, networks: 0 });
}

/** Retries a read until it returns what is expected or the time is up (for lagging replicas). */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never read the expected value; last ${JSON.stringify(last)} ${String(lastError ?? '')}`);
}

export function node(t: TestCluster, index: number): Cluster['nodes'][number] {
  const n = t.cluster.nodes[index];
  assert.ok(n !== undefined, `cluster has no node ${index + 1}`);
  return n;
}

/**
 * One real 3-node cluster of `systemName` for every check in `body`: the cluster, capability
 * and data-type checks of a system used to bring up a cluster each (6–12 s apiece here, three
 * per system), though none needs a fresh one — each writes its own keys. `body` defines
 * nested describes (run in order) and gets the cluster; `cluster down` is the last check.
 */
export function systemSuite(systemName: string, body: (cluster: () => TestCluster) => void): void {
  describe(`${systemName}: checks on one real 3-node cluster`, { timeout: 600_000 }, () => {
    let t: TestCluster | undefined;
    const cluster = (): TestCluster => {
      assert.ok(t !== undefined, 'the cluster did not start');
      return t;
    };
    before(async () => {
      t = await startTestCluster(systemName);
    });
    // A no-op when `cluster down` below removed it; frees it when a check failed before that.
    after(async () => {
      if (t !== undefined) await t.provider.destroy(t.cluster.id);
    });

    body(cluster);

    it('`cluster down` leaves no labelled container or network', async () => {
      await downAndAssertGone(cluster());
    });
  });
}

/**
 * The scenario every system shares: a 3-node cluster becomes healthy with a leader, `roundTrip`
 * writes through one node's real client and reads back through another, a killed node comes
 * back, and every log copies out. `open` connects a client that is closed after these checks.
 * Runs inside systemSuite, which brings the cluster up and checks `cluster down` at the end.
 */
export function describeCluster<C>(
  system: System,
  cluster: () => TestCluster,
  client: { connect(node: Node): Promise<C>; close(client: C): Promise<void> },
  healthy: string,
  roundTrip: { readonly title: string; run(t: TestCluster, open: (index: number) => Promise<C>): Promise<void> },
): void {
  describe(`${system.name}: a real 3-node cluster`, { timeout: 180_000 }, () => {
    const clients: C[] = [];
    after(async () => {
      await Promise.all(clients.map((c) => client.close(c)));
    });

    it(`is healthy: ${healthy}; another process finds it by name`, async () => {
      assert.deepEqual(await system.probe(cluster().cluster), { healthy: true });
      assert.ok((await system.leader?.(cluster().cluster)) !== undefined, 'no leader');
      // `attach` rebuilds the cluster from labels alone, as `cluster ls/down` or a runner would.
      const attached = await cluster().provider.attach(cluster().cluster.name);
      const shape = (c: Cluster): string[] => c.nodes.map((n) => `${n.name}@${n.address}`);
      assert.deepEqual(shape(attached), shape(cluster().cluster));
      assert.deepEqual(await system.probe(attached), { healthy: true });
    });

    it(roundTrip.title, async () => {
      const open = async (index: number): Promise<C> => {
        const opened = await client.connect(node(cluster(), index));
        clients.push(opened);
        return opened;
      };
      await roundTrip.run(cluster(), open);
    });

    it('kills a node\'s database (SIGKILL) and restarts it in the same container, healthy again', async () => {
      const { cluster: c } = cluster();
      const victim = node(cluster(), 2);
      await system.kill?.(victim);
      assert.equal((await victim.exec(['pgrep', '-x', 'sleep'])).exitCode, 0, 'the node itself must stay up');
      // A cluster with a dead member must not look healthy (a primary may take a moment to notice).
      await eventually(() => system.probe(c), (h) => !h.healthy);
      await system.start(c, victim);
      await waitHealthy(system, c, Date.now() + 60_000);
    });

    it('copies every node\'s log out', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'faultline-logs-'));
      try {
        const logs = await collectLogs(system, cluster().cluster, dir);
        assert.deepEqual(logs.missing, []);
        assert.equal(logs.copied.length, 3 * (system.logFiles ?? []).length);
        for (const file of logs.copied) assert.ok((await stat(file)).size > 0, `${file} is empty`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
