/**
 * The runner's own cost per operation, without a database: 10 processes against an
 * in-memory client whose every call takes one event-loop turn (what a network reply costs
 * at least). Baseline, measured in the same run: 10 plain async loops making the same
 * calls. The runner adds generation, routing, timeouts, recording and the history file.
 * The real-database comparison (`bench:run`, a 3-node Redis) needs the Redis adapter.
 *
 *   npx tsx bench/runner-overhead.ts [seconds-per-measurement]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { fn, limit, mix, repeat } from '../src/generator/index.js';
import type { OpRequest } from '../src/generator/types.js';
import type { Client } from '../src/runner/client.js';
import type { Outcome } from '../src/runner/outcome.js';
import { runTest } from '../src/runner/run.js';
import { HistoryWriter } from '../src/store/history-writer.js';

const CONCURRENCY = 10;
const seconds = Number(process.argv[2] ?? 3);
const nodes = ['n1', 'n2', 'n3'];

function memoryClient(node: string, values: Map<string, number>): Client {
  return {
    node,
    async invoke(op: OpRequest): Promise<Outcome> {
      await turn();
      if (op.f === 'read') return { type: 'ok', value: values.get('k') ?? null };
      values.set('k', op.value as number);
      return { type: 'ok', value: op.value };
    },
    close: async () => undefined,
  };
}

async function baseline(): Promise<number> {
  const values = new Map<string, number>();
  const client = memoryClient('n1', values);
  const end = performance.now() + seconds * 1000;
  const { signal } = new AbortController();
  let ops = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      let n = i;
      while (performance.now() < end) {
        await client.invoke(n++ % 2 === 0 ? { f: 'read', value: null } : { f: 'write', value: n }, signal);
        ops++;
      }
    }),
  );
  return ops / seconds;
}

async function runner(withFile: boolean): Promise<number> {
  const values = new Map<string, number>();
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-'));
  const writer = withFile ? new HistoryWriter(join(dir, 'history.jsonl')) : undefined;
  try {
    const result = await runTest({
      seed: 1,
      concurrency: CONCURRENCY,
      cluster: { nodes, leader: async () => 'n1' },
      routing: { kind: 'random' },
      generator: limit(50_000_000, mix([repeat({ f: 'read', value: null }), fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 1000) }))])),
      opTimeoutMs: 5_000,
      openClient: async (node: string) => memoryClient(node, values),
      timeLimitMs: seconds * 1000,
      ...(writer === undefined ? {} : { sink: writer }),
    });
    return (result.stats.ok + result.stats.fail + result.stats.info) / (result.durationMs / 1000);
  } finally {
    writer?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const base = await baseline();
const toFile = await runner(true);
const inMemory = await runner(false);
const pct = (x: number): string => `${((1 - x / base) * 100).toFixed(1)} %`;
console.log(`concurrency ${CONCURRENCY}, ${seconds} s per measurement, one event-loop turn per call`);
console.log(`plain async loops:             ${base.toFixed(0).padStart(8)} ops/s`);
console.log(`runner, history in memory:     ${inMemory.toFixed(0).padStart(8)} ops/s  (overhead ${pct(inMemory)})`);
console.log(`runner, + history.jsonl:       ${toFile.toFixed(0).padStart(8)} ops/s  (overhead ${pct(toFile)})`);
console.log(`runner cost per operation:     ${((1 / toFile - 1 / base) * 1e6).toFixed(1)} µs`);
