import { z } from 'zod';
import { UsageError } from '../errors.js';
import { CONSISTENCY_MODELS } from '../checker/txn/models.js';
import type { Json } from '../history/event.js';
import { PARTITION_SHAPES } from '../../nemesis/partition-shapes.js';
import { TARGET_SPECS } from '../../nemesis/targets.js';
import { NEMESIS_KINDS, type NemesisKind, expandNemesisKinds } from '../../nemesis/kinds.js';
import { MIN_NODE_MEMORY_MIB, MIN_NODE_PIDS, type NodeResources } from '../cluster/resources.js';
import { parseRouting } from '../runner/router.js';
import { type SystemName, systemNames } from '../systems/index.js';
import { DEFAULT_NODE_RESOURCES } from '../systems/resources.js';

/** Workloads `faultline run` knows (their implementations live in `workloads/`). */
export const WORKLOAD_NAMES = ['register', 'lock', 'lock-rmw', 'lock-fenced', 'set', 'append', 'counter'] as const;
export { NEMESIS_KINDS } from '../../nemesis/kinds.js';
export const MAX_NODES = 15;

const positiveInt = z.number().int().positive();
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

/**
 * One test, fully described: what `faultline run` was asked to do, validated, with every
 * default filled in. It is written to `test.json` as is, so a run can be replayed from it.
 * Times are in milliseconds.
 */
export const TestSpecSchema = z
  .object({
    name: name.optional(),
    system: z.enum(systemNames as [string, ...string[]]),
    nodes: positiveInt.max(MAX_NODES).default(3),
    workload: z.enum(WORKLOAD_NAMES),
    /** Fault kinds; `all` stands for every kind. */
    nemesis: z.array(z.enum([...NEMESIS_KINDS, 'all'])).default([]),
    /** Mean time between fault steps (start or stop). */
    nemesisIntervalMs: positiveInt.default(5_000),
    /** Partition shapes to choose from (at random, from the faults stream). */
    partitions: z.array(z.enum(PARTITION_SHAPES)).min(1).optional(),
    /** Kill/pause targets to choose from. */
    targets: z.array(z.enum(TARGET_SPECS)).min(1).default(['one']),
    routing: z.string().default('random'),
    concurrency: positiveInt.max(1000).default(10),
    timeLimitMs: positiveInt.default(60_000),
    opTimeoutMs: positiveInt.default(5_000),
    /** Mean gap between operations across all processes (0: as fast as the clients go). */
    opIntervalMs: z.number().nonnegative().default(10),
    /** Register workload: operations per key, and client workers per key. */
    opsPerKey: positiveInt.default(100),
    threadsPerKey: positiveInt.default(2),
    /** Pause between healing and the final reads, for the system to recover. */
    settleMs: z.number().int().nonnegative().default(5_000),
    seed: z.number().int().nonnegative().max(0x7fffffff),
    readMode: z.string().optional(),
    /** Transactional workloads: the consistency model checked (default: what the system documents, see workloads/append.ts). */
    consistency: z.enum(CONSISTENCY_MODELS).optional(),
    lockTtlMs: positiveInt.default(10_000),
    /** Redis only: run Redis Sentinel (3 sentinels) for automatic failover. */
    redisSentinel: z.boolean().default(false),
    /** Redis only: `WAIT n` after each register write (n replicas must acknowledge). */
    redisWait: z.number().int().nonnegative().optional(),
    /** client-pause: how long a client process stalls (default: twice the lock TTL). */
    clientPauseMs: positiveInt.optional(),
    /** clock: how far a node's clock is moved (±). */
    clockSkewMs: positiveInt.optional(),
    /** packet: what is done to the targets' outgoing traffic. */
    packet: z
      .object({
        loss: z.number().min(0).max(1).optional(),
        delayMs: z.number().nonnegative().optional(),
        jitterMs: z.number().nonnegative().optional(),
        duplicate: z.number().min(0).max(1).optional(),
        reorder: z.number().min(0).max(1).optional(),
        rateKbit: positiveInt.optional(),
        peers: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    /** Each node's memory limit in MiB, swap included (default: the system's, see src/systems/resources.ts). */
    nodeMemoryMiB: z.number().int().min(MIN_NODE_MEMORY_MIB).optional(),
    /** Each node's CPU limit in cores, fractions allowed (default: the system's). */
    nodeCpus: z.number().min(0.01).max(1024).optional(),
    /** Each node's limit on processes and threads (default: the system's). */
    nodePids: z.number().int().min(MIN_NODE_PIDS).optional(),
    store: z.string().default('store'),
    leaveRunning: z.boolean().default(false),
    /** Budget for each checker; past it the verdict is `unknown`. */
    checkTimeLimitMs: positiveInt.default(120_000),
    /** A run where fewer client operations than this succeeded is `unknown`, whatever the checkers say (0: no floor). */
    minOk: z.number().int().nonnegative().default(50),
  })
  .strict()
  .superRefine((spec, ctx) => {
    try {
      parseRouting(spec.routing);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['routing'], message: (err as Error).message });
    }
    if (spec.redisSentinel && (spec.system !== 'redis' || spec.nodes < 3)) {
      ctx.addIssue({ code: 'custom', path: ['redisSentinel'], message: `Sentinel needs the redis system and at least 3 nodes, got ${spec.system} with ${spec.nodes}` });
    }
    if (spec.redisWait !== undefined && (spec.system !== 'redis' || spec.redisWait >= spec.nodes)) {
      ctx.addIssue({ code: 'custom', path: ['redisWait'], message: `WAIT needs the redis system and fewer replicas than nodes, got ${spec.redisWait} on ${spec.system} with ${spec.nodes} nodes` });
    }
    if (spec.partitions?.includes('majorities-ring') === true && spec.nodes < 4) {
      ctx.addIssue({ code: 'custom', path: ['partitions'], message: `majorities-ring needs at least 4 nodes, got ${spec.nodes}` });
    }
  });

export type TestSpecInput = z.input<typeof TestSpecSchema>;
type NodeLimitField = 'nodeMemoryMiB' | 'nodeCpus' | 'nodePids';
/** `nemesis` with `all` expanded, the node limits filled in from the system's defaults. */
export type TestSpec = Omit<z.output<typeof TestSpecSchema>, 'nemesis' | NodeLimitField> & {
  name: string;
  nemesis: NemesisKind[];
} & { [K in NodeLimitField]: number };

/**
 * A parsed spec made whole: `all` expanded, the node limits the system defaults to written
 * in, so test.json records the limits the run had (and a replay gets the same ones).
 */
export function completeSpec(parsed: z.output<typeof TestSpecSchema>, name: string): TestSpec {
  const limits = DEFAULT_NODE_RESOURCES[parsed.system as SystemName];
  return {
    ...parsed,
    nemesis: expandNemesisKinds(parsed.nemesis),
    name,
    nodeMemoryMiB: parsed.nodeMemoryMiB ?? limits.memoryMiB,
    nodeCpus: parsed.nodeCpus ?? limits.cpus,
    nodePids: parsed.nodePids ?? limits.pids,
  };
}

/** The limits each node of the test's cluster runs under. */
export function nodeResources(spec: TestSpec): NodeResources {
  return { memoryMiB: spec.nodeMemoryMiB, cpus: spec.nodeCpus, pids: spec.nodePids };
}

/** The partition shapes used when none are given: every shape the cluster size allows. */
export function defaultPartitions(nodes: number): (typeof PARTITION_SHAPES)[number][] {
  return PARTITION_SHAPES.filter((s) => (s === 'majorities-ring' ? nodes >= 4 : s === 'bridge' ? nodes >= 3 : nodes >= 2));
}

/** Validates and fills defaults; a bad field becomes a UsageError naming it. */
export function parseTestSpec(input: unknown): TestSpec {
  const r = TestSpecSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'test spec' : issue.path.join('.');
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
    throw new UsageError(`${field}: ${issue?.message ?? 'invalid'}${more}`, 'see `faultline run --help` and docs/run.md');
  }
  return completeSpec(r.data, r.data.name ?? `${r.data.system}-${r.data.workload}`);
}

/** The spec as test.json records it. */
export function specJson(spec: TestSpec): Json {
  return JSON.parse(JSON.stringify(spec)) as Json;
}
