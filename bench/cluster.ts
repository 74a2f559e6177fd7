/**
 * Seconds from `cluster up` (nodes created) to healthy, and for `down`, per system at 3 and 5
 * nodes. Printed, not asserted. Goals: under 10 s to healthy for Redis, etcd and Consul at 5
 * nodes, under 20 s for ZooKeeper. Images are built (or reused) first and not timed here.
 *
 *   npm run bench:cluster [-- --systems etcd,redis --sizes 3,5 --repeat 1]
 */
import { parseArgs } from 'node:util';
import { connectDocker } from '../src/cluster/docker/engine.js';
import { DockerProvider } from '../src/cluster/docker/docker-provider.js';
import { bringUp } from '../src/systems/bring-up.js';
import { builtinSystem, builtinSystemNames } from '../src/systems/index.js';

const GOAL_S: Record<string, number> = { redis: 10, etcd: 10, consul: 10, zookeeper: 20 };

const { values } = parseArgs({
  options: {
    systems: { type: 'string', default: builtinSystemNames.join(',') },
    sizes: { type: 'string', default: '3,5' },
    repeat: { type: 'string', default: '1' },
  },
});
const systems = (values.systems ?? '').split(',').map((s) => builtinSystem(s.trim()));
const sizes = values.sizes.split(',').map(Number);
const repeat = Number(values.repeat);

const docker = await connectDocker();
const provider = new DockerProvider(docker);
const images = new Map(await Promise.all(systems.map(async (s) => [s.name, await provider.prepare({ name: s.name, ...s.install }, () => undefined)] as const)));

const seconds = (from: number): number => (performance.now() - from) / 1000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const rows: string[][] = [];
for (const system of systems) {
  for (const nodes of sizes) {
    const up: number[] = [];
    const down: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      const cluster = await bringUp(provider, system, { nodes, image: images.get(system.name) ?? '' });
      up.push(seconds(t0));
      const t1 = performance.now();
      await provider.destroy(cluster.id);
      down.push(seconds(t1));
    }
    const goal = nodes === 5 ? (GOAL_S[system.name] ?? NaN) : NaN;
    const healthy = median(up);
    rows.push([
      system.name,
      String(nodes),
      healthy.toFixed(1),
      median(down).toFixed(1),
      Number.isNaN(goal) ? '' : `${goal}`,
      Number.isNaN(goal) ? '' : `${(healthy / goal).toFixed(2)}${healthy <= goal ? ' ok' : ' OVER'}`,
    ]);
    process.stderr.write(`${system.name} ×${nodes}: healthy ${healthy.toFixed(1)} s, down ${median(down).toFixed(1)} s\n`);
  }
}

const header = ['system', 'nodes', 'up→healthy s', 'down s', 'goal s', 'ratio to goal'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
for (const row of [header, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
process.stdout.write(`(median of ${repeat} run(s) each; time includes creating the containers)\n`);
