/**
 * What the runner sustains against a real 3-node Redis, 10 processes, compared in the same
 * run with 10 plain ioredis loops doing exactly the same operations: per loop a third GET,
 * a third SET, a third CAS through the adapter's Lua script (EVAL), of JSON values on 5 keys,
 * on the primary, each loop its own ioredis client opened as the adapter opens it. The
 * runner's side goes through everything `faultline run` uses: the register workload's
 * mapping, the Redis capability client, routing (pinned to the primary, like the plain
 * loops), per-operation timeouts, the history in memory and in history.jsonl.
 *
 * Both sides are measured in throughput and in this process's CPU time per operation
 * (`process.cpuUsage()`, user + system). Measurements alternate (plain, runner, runner,
 * plain, …) so that load drift on a shared machine hits both alike; each round's ratio
 * is taken between its two neighbouring measurements, and median and range are printed.
 *
 *   npm run bench:run            (or: node dist/bench/run.js [seconds-per-measurement] [rounds] [read,write,cas])
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { connectDocker } from '../src/cluster/docker/engine.js';
import { DockerProvider } from '../src/cluster/docker/docker-provider.js';
import type { Cluster } from '../src/cluster/node.js';
import { clients, fn } from '../src/generator/index.js';
import type { Json } from '../src/history/event.js';
import { workloadClients } from '../src/execute/clients.js';
import { runTest } from '../src/runner/run.js';
import { HistoryWriter } from '../src/store/history-writer.js';
import { planRun } from '../src/execute/plan.js';
import { parseTestSpec } from '../src/spec/test-spec.js';
import { bringUp } from '../src/systems/bring-up.js';
import { encodeValue, decodeValue, registerKey } from '../src/systems/capability-support.js';
import { redis } from '../src/systems/index.js';
import { connectRedis } from '../src/systems/redis/server.js';
import { CAS_SCRIPT, casArgs } from '../src/systems/redis/capabilities.js';

const CONCURRENCY = 10;
const KEYS = 5;
const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 5);
/** Which operations each loop cycles through, in this order. */
const mixFs = (process.argv[4] ?? 'read,write,cas').split(',') as Op['f'][];

type Op = { f: 'read'; key: number; value: null } | { f: 'write'; key: number; value: number } | { f: 'cas'; key: number; value: [number, number] };

/** Operation n of a loop: the mix's operations in turn, over KEYS keys. */
function opFor(n: number): Op {
  const key = n % KEYS;
  switch (mixFs[n % mixFs.length]) {
    case 'read':
      return { f: 'read', key, value: null };
    case 'write':
      return { f: 'write', key, value: n % 7 };
    case 'cas':
      return { f: 'cas', key, value: [n % 7, (n + 1) % 7] };
    default:
      throw new Error(`unknown operation in ${mixFs.join(',')}: use read, write, cas`);
  }
}

/** What the register workload sends for `op`, with the same client calls as the capability client. */
async function plainCall(c: Redis, op: Op): Promise<Json> {
  const k = registerKey(op.key);
  if (op.f === 'read') return decodeValue(await c.get(k));
  if (op.f === 'write') {
    await c.set(k, encodeValue(op.value));
    return op.value;
  }
  return (await c.eval(CAS_SCRIPT, 1, k, ...casArgs(op.value[0], op.value[1]))) === 1;
}

interface Sample {
  ops: number;
  seconds: number;
}

async function plainLoops(cluster: Cluster, primary: string, secs: number): Promise<Sample> {
  const node = cluster.nodes.find((n) => n.name === primary)!;
  // The adapter's own connection settings (per-command timeout, no retries, no offline queue), and
  // like the capability client a ROLE lookup once per connection, so the comparison isolates what the runner adds.
  const conns = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const c = await connectRedis(node);
      await c.call('ROLE');
      return c;
    }),
  );
  let ops = 0;
  const started = performance.now();
  const end = started + secs * 1000;
  await Promise.all(
    conns.map(async (c, i) => {
      for (let n = i; performance.now() < end; n++) {
        await plainCall(c, opFor(n));
        ops++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const c of conns) c.disconnect();
  return { ops, seconds: elapsed };
}

async function runner(cluster: Cluster, primary: string, secs: number): Promise<Sample> {
  // Pinned to the primary, as the plain loops are: `leader` routing would add its once-a-second lookup (docker exec on every node).
  const spec = parseTestSpec({ system: 'redis', workload: 'register', seed: 1, routing: `weighted:${primary}=1`, concurrency: CONCURRENCY, timeLimitMs: secs * 1000 });
  const plan = await planRun(spec);
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-run-'));
  const writer = new HistoryWriter(join(dir, 'history.jsonl'));
  const next = Array.from({ length: CONCURRENCY }, (_, t) => t);
  try {
    const result = await runTest({
      seed: 1,
      concurrency: CONCURRENCY,
      cluster: { nodes: cluster.nodes.map((n) => n.name), leader: async () => (await redis.leader?.(cluster))?.name },
      routing: plan.routing,
      openClient: workloadClients(plan, cluster),
      // The same sequence per worker as the plain loops.
      generator: clients(fn((ctx) => opFor(next[ctx.thread as number]!++))),
      opTimeoutMs: 5_000,
      timeLimitMs: secs * 1000,
      sink: writer,
    });
    // A CAS whose expected value is not there is a `fail` (cas-mismatch), the plain loop's `false`.
    if (result.stats.info > 0) console.log(`  (runner: ${result.stats.info} info)`);
    return { ops: result.stats.ok + result.stats.fail + result.stats.info, seconds: result.durationMs / 1000 };
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Measurement {
  opsPerSecond: number;
  cpuUsPerOp: number;
}

/** Throughput, and this process's CPU time (user + system) per operation, of one measurement. */
async function measure(run: () => Promise<Sample>): Promise<Measurement> {
  const before = process.cpuUsage();
  const { ops, seconds: elapsed } = await run();
  const cpu = process.cpuUsage(before);
  return { opsPerSecond: ops / elapsed, cpuUsPerOp: (cpu.user + cpu.system) / ops };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const range = (xs: readonly number[], digits: number): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function main(): Promise<void> {
  const docker = await connectDocker();
  const provider = new DockerProvider(docker);
  const image = await provider.prepare({ name: redis.name, ...redis.install }, () => undefined);
  const cluster = await bringUp(provider, redis, { nodes: 3, image, name: `bench-run-${process.pid}` });
  try {
    const primary = (await redis.leader?.(cluster))?.name;
    if (primary === undefined) throw new Error('no Redis primary');
    console.log(`3-node Redis (primary ${primary}), ${CONCURRENCY} processes, ${seconds} s per measurement, ${rounds} rounds; ${mixFs.join(' / ')} in turn (cas: EVAL of the adapter's script)`);
    const plain = (): Promise<Measurement> => measure(() => plainLoops(cluster, primary, seconds));
    const ours = (): Promise<Measurement> => measure(() => runner(cluster, primary, seconds));
    // Warm-up (JIT, connections, Redis's own caches), not counted.
    await plainLoops(cluster, primary, 2);
    await runner(cluster, primary, 2);
    const rows: { plain: Measurement; ours: Measurement }[] = [];
    for (let r = 0; r < rounds; r++) {
      // ABBA: whichever ran second in one round runs first in the next, so drift does not favour one side.
      let p: Measurement;
      let o: Measurement;
      if (r % 2 === 0) {
        p = await plain();
        o = await ours();
      } else {
        o = await ours();
        p = await plain();
      }
      rows.push({ plain: p, ours: o });
      console.log(
        `  round ${r + 1}: plain ${p.opsPerSecond.toFixed(0)} ops/s, ${p.cpuUsPerOp.toFixed(1)} µs CPU/op; ` +
          `runner ${o.opsPerSecond.toFixed(0)} ops/s, ${o.cpuUsPerOp.toFixed(1)} µs CPU/op; ` +
          `throughput ratio ${(o.opsPerSecond / p.opsPerSecond).toFixed(3)}, CPU ratio ${(o.cpuUsPerOp / p.cpuUsPerOp).toFixed(3)}`,
      );
    }
    const ratios = rows.map((r) => r.ours.opsPerSecond / r.plain.opsPerSecond);
    const cpuRatios = rows.map((r) => r.ours.cpuUsPerOp / r.plain.cpuUsPerOp);
    const plainCpu = rows.map((r) => r.plain.cpuUsPerOp);
    const oursCpu = rows.map((r) => r.ours.cpuUsPerOp);
    const added = rows.map((r) => r.ours.cpuUsPerOp - r.plain.cpuUsPerOp);
    console.log(`CPU per operation: plain median ${median(plainCpu).toFixed(1)} µs (${range(plainCpu, 1)}), runner median ${median(oursCpu).toFixed(1)} µs (${range(oursCpu, 1)}); the runner adds ${median(added).toFixed(1)} µs (${range(added, 1)})`);
    console.log(`runner/plain CPU per operation: median ${median(cpuRatios).toFixed(3)} (${range(cpuRatios, 3)}): +${((median(cpuRatios) - 1) * 100).toFixed(1)} % client-side CPU`);
    console.log(`runner/plain throughput: median ${median(ratios).toFixed(3)} (${range(ratios, 3)}): overhead ${((1 - median(ratios)) * 100).toFixed(1)} % (goal: under 20 %)`);
  } finally {
    await provider.destroy(cluster.id);
  }
}

await main();
