/**
 * What the runner sustains against a real 3-node Redis, 10 processes, compared in the same
 * run with 10 plain ioredis loops doing the same operations (GET / SET of JSON values on 5
 * keys, against the primary, each loop its own ioredis client configured as the adapter's). The runner's side goes through everything `faultline run`
 * uses: the register workload's mapping, the Redis capability client, routing (pinned to
 * the primary, like the plain loops), per-operation timeouts, the history in memory and in history.jsonl.
 *
 *   npm run bench:run            (or: node dist/bench/run.js [seconds-per-measurement] [rounds])
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker } from '../src/cluster/docker/engine.js';
import { DockerProvider } from '../src/cluster/docker/docker-provider.js';
import { ensureImages } from '../src/cluster/docker/image-build.js';
import type { Cluster } from '../src/cluster/node.js';
import { clients, fn } from '../src/generator/index.js';
import { workloadClients } from '../src/runner/execute.js';
import { runTest } from '../src/runner/run.js';
import { HistoryWriter } from '../src/store/history-writer.js';
import { preflight } from '../src/spec/preflight.js';
import { parseTestSpec } from '../src/spec/test-spec.js';
import { bringUp } from '../src/systems/bring-up.js';
import { capabilityProvider } from '../src/systems/capabilities.js';
import { encodeValue, decodeValue, registerKey } from '../src/systems/capability-support.js';
import { redis } from '../src/systems/index.js';

const CONCURRENCY = 10;
const KEYS = 5;
let seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);

/** Operation n of a loop: even = read, odd = write, over KEYS keys. */
const opFor = (n: number): { f: 'read' | 'write'; key: number; value: number | null } =>
  n % 2 === 0 ? { f: 'read', key: n % KEYS, value: null } : { f: 'write', key: n % KEYS, value: n % 7 };

async function plainLoops(cluster: Cluster, primary: string): Promise<{ ops: number; seconds: number }> {
  const node = cluster.nodes.find((n) => n.name === primary)!;
  // The adapter's own connection settings (per-command timeout, no retries, no offline queue), so the
  // comparison isolates what the runner adds, not what a safer client configuration costs.
  const conns = await Promise.all(Array.from({ length: CONCURRENCY }, () => redis.connect(node, cluster)));
  let ops = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    conns.map(async (c, i) => {
      for (let n = i; performance.now() < end; n++) {
        const op = opFor(n);
        if (op.f === 'read') decodeValue(await c.get(registerKey(op.key)));
        else await c.set(registerKey(op.key), encodeValue(op.value));
        ops++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const c of conns) c.disconnect();
  return { ops, seconds: elapsed };
}

async function runner(cluster: Cluster, primary: string): Promise<{ ops: number; seconds: number }> {
  // Pinned to the primary, as the plain loops are: `leader` routing would add its once-a-second lookup (docker exec on every node).
  const spec = parseTestSpec({ system: 'redis', workload: 'register', seed: 1, routing: `weighted:${primary}=1`, concurrency: CONCURRENCY, timeLimitMs: seconds * 1000 });
  const plan = preflight(spec, capabilityProvider);
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-run-'));
  const writer = new HistoryWriter(join(dir, 'history.jsonl'));
  const counters = new Map<number, number>();
  try {
    const result = await runTest({
      seed: 1,
      concurrency: CONCURRENCY,
      cluster: { nodes: cluster.nodes.map((n) => n.name), leader: async () => (await redis.leader(cluster))?.name },
      routing: plan.routing,
      openClient: workloadClients(plan, cluster),
      // The same sequence per worker as the plain loops.
      generator: clients(
        fn((ctx) => {
          const t = ctx.thread as number;
          const n = counters.get(t) ?? t;
          counters.set(t, n + 1);
          const { f, key, value } = opFor(n);
          return { f, key, value };
        }),
      ),
      opTimeoutMs: 5_000,
      timeLimitMs: seconds * 1000,
      sink: (e) => writer.append(e),
    });
    const completed = result.stats.ok + result.stats.fail + result.stats.info;
    if (result.stats.fail + result.stats.info > 0) console.log(`  (runner: ${result.stats.fail} fail, ${result.stats.info} info)`);
    return { ops: completed, seconds: result.durationMs / 1000 };
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Throughput, and this process's CPU time (user + system) per operation, of one measurement. */
async function measure(run: () => Promise<{ ops: number; seconds: number }>): Promise<{ opsPerSecond: number; cpuUsPerOp: number }> {
  const before = process.cpuUsage();
  const { ops, seconds: elapsed } = await run();
  const cpu = process.cpuUsage(before);
  return { opsPerSecond: ops / elapsed, cpuUsPerOp: (cpu.user + cpu.system) / ops };
}

async function main(): Promise<void> {
  const docker = await connectDocker();
  const image = (await ensureImages(docker, ['redis'], () => undefined)).get('redis')!;
  const provider = new DockerProvider(docker);
  const cluster = await bringUp(provider, redis, { nodes: 3, image: image.ref, name: `bench-run-${process.pid}` });
  try {
    const primary = (await redis.leader(cluster))?.name;
    if (primary === undefined) throw new Error('no Redis primary');
    console.log(`3-node Redis (primary ${primary}), ${CONCURRENCY} processes, ${seconds} s per measurement, ${rounds} rounds; 50% GET / 50% SET`);
    // Warm-up (JIT, connections, Redis's own caches), not counted.
    const measured = seconds;
    seconds = 2;
    await plainLoops(cluster, primary);
    await runner(cluster, primary);
    seconds = measured;
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const plain = await measure(() => plainLoops(cluster, primary));
      const ours = await measure(() => runner(cluster, primary));
      ratios.push(ours.opsPerSecond / plain.opsPerSecond);
      cpuRatios.push(ours.cpuUsPerOp / plain.cpuUsPerOp);
      console.log(
        `  round ${r + 1}: plain ioredis ${plain.opsPerSecond.toFixed(0)} ops/s (${plain.cpuUsPerOp.toFixed(1)} µs CPU/op), ` +
          `runner ${ours.opsPerSecond.toFixed(0)} ops/s (${ours.cpuUsPerOp.toFixed(1)} µs CPU/op), runner/plain ${(ours.opsPerSecond / plain.opsPerSecond).toFixed(3)}`,
      );
    }
    // Rounds are paired (run back to back) and the median ratio taken: the machine's load moves both alike.
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`median runner/plain throughput ${median(ratios).toFixed(3)}: runner overhead ${((1 - median(ratios)) * 100).toFixed(1)} % (goal: under 20 %)`);
    // CPU spent in this process per operation barely depends on the machine's load, unlike throughput.
    console.log(`median runner/plain CPU per operation ${median(cpuRatios).toFixed(3)}: the runner adds ${((median(cpuRatios) - 1) * 100).toFixed(1)} % client-side CPU`);
  } finally {
    await provider.destroy(cluster.id);
  }
}

await main();
