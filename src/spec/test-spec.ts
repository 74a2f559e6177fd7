import { z } from 'zod';
import { choiceSchema, didYouMean } from './choices.js';
import { UsageError } from '../errors.js';
import { CONSISTENCY_MODELS } from '../checker/txn/models.js';
import type { Json } from '../history/event.js';
import { PARTITION_SHAPES } from '../../nemesis/partition-shapes.js';
import { TARGET_SPECS } from '../../nemesis/targets.js';
import { CLOCK_SCOPES, NEMESIS_KINDS } from '../../nemesis/kinds.js';
import { CORRUPT_MODES } from '../../nemesis/corruption.js';
import { workloads } from '../../workloads/index.js';
import { MIN_NODE_MEMORY_MIB, MIN_NODE_PIDS, type NodeResources } from '../cluster/resources.js';
import { parseRouting } from '../runner/router.js';
import { PLUGIN_REF, type SystemDescriptor, builtinSystemNames, builtinSystems } from '../systems/index.js';
import { systemResources } from '../systems/resources.js';

/** Workloads `faultline run` knows: the registry's (their implementations live in `workloads/`). */
export const WORKLOAD_NAMES = [...workloads.keys()] as [string, ...string[]];
export { NEMESIS_KINDS } from '../../nemesis/kinds.js';
export const MAX_NODES = 15;

const positiveInt = z.number().int().positive();

/** A built-in system's name, or a plugin module: what `--system` and a campaign's `system` take. */
const unknownSystem = (input: unknown): string =>
  `unknown system ${JSON.stringify(input)}${didYouMean(input, builtinSystemNames)} — choose one of ${builtinSystemNames.join(', ')}, or a plugin module (./path/to/plugin.js, an npm package faultline-*)`;
export const SystemRefSchema = z.union([z.enum(builtinSystemNames as [string, ...string[]]), z.string().regex(PLUGIN_REF, { error: (iss) => unknownSystem(iss.input) })], {
  error: (iss) => unknownSystem(iss.input),
});
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

/**
 * One test, fully described: what `faultline run` was asked to do, validated, with every
 * default filled in. It is written to `test.json` as is, so a run can be replayed from it.
 * Times are in milliseconds.
 */
export const TestSpecSchema = z
  .object({
    name: name.optional(),
    /** A built-in system's name, or a plugin module (a path or an npm package) whose default export is `defineSystem(...)`. */
    system: SystemRefSchema,
    /** A client plugin for a built-in system (`defineClient(...)`), instead of faultline's own client. */
    client: z.string().min(1).optional(),
    nodes: positiveInt.max(MAX_NODES).default(3),
    workload: choiceSchema('workload', WORKLOAD_NAMES),
    /** Fault kinds; `all` stands for every kind. */
    nemesis: z.array(choiceSchema('fault kind', [...NEMESIS_KINDS, 'all'])).default([]),
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
    /** The system's own options (its descriptor lists them: `sentinel`, `wait` for Redis), by name. */
    systemOptions: z.record(z.string(), z.union([z.boolean(), z.number(), z.string()])).default({}),
    /** client-pause: how long a client process stalls (default: twice the lock TTL). */
    clientPauseMs: positiveInt.optional(),
    /** clock: how far a node's clock is moved (±). */
    clockSkewMs: positiveInt.optional(),
    /** clock: the database process's clock, or the whole host's (default: the provider's — process on Docker, host on SSH). */
    clockScope: z.enum(CLOCK_SCOPES).optional(),
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
    /** slow-disk: what faultline-fs adds to every fsync and every write (default: 1200 ms, 0 ms). */
    slowDisk: z
      .object({ fsyncDelayMs: z.number().int().min(0).max(600_000).optional(), writeDelayMs: z.number().int().min(0).max(600_000).optional() })
      .strict()
      .optional(),
    /** corrupt-file: the declared files (the system's names: `wal`, `snapshot`) and modes each fault is drawn from (default: all), and how many bytes a bitflip damages. */
    corrupt: z
      .object({
        files: z.array(z.string().min(1)).min(1).optional(),
        modes: z.array(z.enum(CORRUPT_MODES)).min(1).optional(),
        flips: z.number().int().min(1).max(4096).optional(),
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
    /**
     * A fault schedule to replay instead of drawing one (`faultline repro`, `shrink`): each
     * nemesis operation at its recorded time, with the concrete nodes and grudges it had.
     */
    faultSchedule: z.array(z.object({ atMs: z.number().nonnegative(), f: z.string().regex(/^(start|stop)-[a-z-]+$/), value: z.json() }).strict()).optional(),
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
    // A built-in system's options are checked here; a plugin's once it is loaded (before anything starts).
    const builtin = builtinSystems.get(spec.system);
    if (builtin !== undefined) {
      for (const problem of systemOptionProblems(builtin, spec.systemOptions, spec.nodes)) ctx.addIssue({ code: 'custom', path: ['systemOptions', problem.option], message: problem.message });
    }
    if (spec.partitions?.includes('majorities-ring') === true && spec.nodes < 4) {
      ctx.addIssue({ code: 'custom', path: ['partitions'], message: `majorities-ring needs at least 4 nodes, got ${spec.nodes}` });
    }
  });

export type TestSpecInput = z.input<typeof TestSpecSchema>;
type NodeLimitField = 'nodeMemoryMiB' | 'nodeCpus' | 'nodePids';
/**
 * A validated spec with its name and the node limits filled in from the system's defaults.
 * `nemesis` is as given (`all` stays `all`): the run plan expands it to the kinds the system
 * supports, and refuses a named kind it does not.
 */
export type TestSpec = Omit<z.output<typeof TestSpecSchema>, NodeLimitField> & {
  name: string;
} & { [K in NodeLimitField]: number };

/** What is wrong with a system's option values: unknown names, wrong types, values its own check refuses. */
export function systemOptionProblems(system: SystemDescriptor, values: Readonly<Record<string, boolean | number | string>>, nodes: number): { option: string; message: string }[] {
  const problems: { option: string; message: string }[] = [];
  const known = system.options ?? [];
  for (const [option, value] of Object.entries(values)) {
    const o = known.find((k) => k.name === option);
    if (o === undefined) {
      problems.push({ option, message: `${system.name} has no option "${option}"${known.length === 0 ? '' : ` (it has: ${known.map((k) => k.name).join(', ')})`}` });
      continue;
    }
    const typeOk = o.type === 'boolean' ? typeof value === 'boolean' : o.type === 'integer' ? Number.isInteger(value) : typeof value === 'string';
    if (!typeOk) problems.push({ option, message: `${system.name} option "${option}" takes ${o.type === 'integer' ? 'an integer' : `a ${o.type}`}, got ${JSON.stringify(value)}` });
    else if (o.choices !== undefined && !o.choices.includes(String(value))) problems.push({ option, message: `${system.name} option "${option}" is one of ${o.choices.join(', ')}, got ${JSON.stringify(value)}` });
    else {
      const why = o.check?.(value, { nodes });
      if (why !== undefined) problems.push({ option, message: why });
    }
  }
  return problems;
}

/**
 * A parsed spec made whole: `all` expanded, the node limits the system defaults to written
 * in, so test.json records the limits the run had (and a replay gets the same ones). A
 * plugin's own defaults are filled in once it is loaded (see the run plan).
 */
export function completeSpec(parsed: z.output<typeof TestSpecSchema>, name: string): TestSpec {
  const limits = systemResources(builtinSystems.get(parsed.system));
  return {
    ...parsed,
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
export function parseTestSpec(input: unknown, fieldName: (path: string) => string = (path) => path): TestSpec {
  const r = TestSpecSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'test spec' : fieldName(issue.path.join('.'));
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
    throw new UsageError(`${field}: ${issue?.message ?? 'invalid'}${more}`, 'see `faultline run --help` and docs/run.md');
  }
  return completeSpec(r.data, r.data.name ?? defaultTestName(r.data.system, r.data.workload));
}

/**
 * `<system>-<workload>`, with a plugin's path or package name made fit for a directory name
 * (`./examples/plugins/nats/index.js` → `examples-plugins-nats-index-register`).
 */
export function defaultTestName(system: string, workload: string): string {
  const safe = system
    .replace(/\.[cm]?js$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return `${safe || 'plugin'}-${workload}`;
}

/** The spec as test.json records it. */
export function specJson(spec: TestSpec): Json {
  return JSON.parse(JSON.stringify(spec)) as Json;
}
