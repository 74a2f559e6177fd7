import { availableParallelism } from 'node:os';
import type { HistoryEvent, Json } from '../../history/event.js';
import { type PairedHistory, pairHistory } from '../../history/operation.js';
import { faultIntervals } from '../../history/faults.js';
import { worstVerdict } from '../verdict.js';
import type { AnyModel } from './model.js';
import { getModel, MODELS } from './models/index.js';
import { type NilReads, partitionByKey, prune } from './partition.js';
import { type CheckedOp, resolveInfoOps } from './info-ops.js';
import type { LinearizabilityResult, PartitionResult } from './result.js';
import { type PartitionJob, runRoundRobin } from './schedule.js';
import type { Budget, SearchOutcome } from './search.js';
import { whySentence } from './sentence.js';
import type { WorkerTask } from './worker.js';

export interface LinearizabilityOptions {
  /** A model name (see MODELS) or a model object (checked in this thread only). */
  model: string | AnyModel;
  /** The model's initial state; default: the model's own (absent / null / ""). */
  init?: Json;
  /** Split by `key` when every op has one (default true). */
  partition?: boolean;
  timeLimitMs?: number;
  /** Memory for the search's tables, all partitions together. Default: 2 GiB. */
  memoryLimitBytes?: number;
  /**
   * Stop at the first invalid partition (default true): the verdict is settled, and the
   * others are reported `unknown` ("not checked"). False checks every partition.
   */
  stopOnInvalid?: boolean;
  /**
   * Worker threads: a number (0 = this thread only), or 'auto' (default): partitions are
   * searched in this thread first, and those still unfinished after `handOffMs` move to
   * worker threads (one per core) — only hard partitions are worth a thread's start-up.
   */
  workers?: number | 'auto';
  /** With workers 'auto': milliseconds in this thread before handing off (default 250). */
  handOffMs?: number;
  /** The history's file name, for error messages. */
  file?: string;
  /**
   * An ok read of nil: `absent` (default; the register held nothing, as faultline records
   * it) or `any` (its value is unknown and matches any state, as Knossos reads Jepsen
   * histories).
   */
  nilReads?: NilReads;
  /**
   * Settle info ops before searching (default true): drop those nobody could have seen,
   * bound those seen (see info-ops.ts). False only to measure what it saves.
   */
  resolveInfo?: boolean;
  /**
   * Outside knowledge of info ops' fates, by operation id (pairHistory's): `happenedBy` —
   * took effect no later than this time (ns), e.g. a change stream delivered its write;
   * `didNotHappen` — certainly took no effect any op could see (a complete change stream
   * never showed it). Applied after `resolveInfo`; only info ops are touched. Sound only if
   * the knowledge is: see src/checker/watch/settle.ts.
   */
  settled?: { readonly happenedBy: ReadonlyMap<number, number>; readonly didNotHappen: ReadonlySet<number> };
  /** How the search remembers explored configurations (search.ts Budget): for tests and benchmarks only. */
  search?: Pick<Budget, 'windowed' | 'seenLimitBytes'>;
}

export const DEFAULT_MEMORY_BYTES = 2 ** 31;

/**
 * Measured here: a worker thread costs 50–300 ms (start-up, copying the ops, cold JIT)
 * on partitions that take ~20 ms in this thread, so only partitions still unfinished
 * after this long are handed to threads.
 */
const AUTO_HAND_OFF_MS = 250;

export async function checkLinearizability(
  history: readonly HistoryEvent[] | PairedHistory,
  options: LinearizabilityOptions,
): Promise<LinearizabilityResult> {
  const started = performance.now();
  const file = options.file ?? 'history';
  const paired = isPaired(history) ? history : pairHistory(history, file);
  const model = typeof options.model === 'string' ? getModel(options.model) : options.model;
  const pruned = prune(model, paired.ops, file, options.nilReads);
  let infoDropped = 0;
  let infoBounded = 0;
  let infoSettledHappened = 0;
  let infoSettledNot = 0;
  const parts = [...partitionByKey(pruned.ops, options.partition ?? true)].map(([key, ops]): [typeof key, CheckedOp[]] => {
    // Outside knowledge first: an op bounded by it must not be dropped as "may go last".
    let out: CheckedOp[] = ops;
    const known = options.settled;
    if (known !== undefined) {
      out = [];
      for (const op of ops) {
        if (op.type !== 'info') out.push(op);
        else if (known.didNotHappen.has(op.id)) infoSettledNot++;
        else {
          const by = known.happenedBy.get(op.id);
          // A bound before the call would be no bound at all (the knowledge is wrong): left alone.
          if (by === undefined || by < op.call) out.push(op);
          else {
            infoSettledHappened++;
            out.push({ ...op, by });
          }
        }
      }
    }
    if (options.resolveInfo === false) return [key, out];
    const settled = resolveInfoOps(model, options.init, out);
    infoDropped += settled.dropped;
    infoBounded += settled.bounded;
    return [key, settled.ops];
  });
  const memory = options.memoryLimitBytes ?? DEFAULT_MEMORY_BYTES;
  const deadline = options.timeLimitMs === undefined ? Infinity : Date.now() + options.timeLimitMs;
  const stopOnInvalid = options.stopOnInvalid ?? true;
  const jobs: PartitionJob[] = parts.map(([, ops], index) => ({ index, ops }));
  const outcomes = new Array<SearchOutcome | undefined>(jobs.length);
  const report = (index: number, outcome: SearchOutcome): void => {
    outcomes[index] = outcome;
  };
  // Worker threads load models by name: a model object of the caller's stays here.
  const threadable = MODELS.get(model.name) === model && jobs.length >= 2;
  const requested = options.workers ?? 'auto';
  let threads = 0;
  const onThreads = async (left: readonly PartitionJob[], count: number): Promise<void> => {
    threads = Math.min(count, left.length);
    const budget: Budget = { ...options.search, deadline, maxCacheBytes: memory / threads };
    const batches: PartitionJob[][] = Array.from({ length: threads }, () => []);
    [...left].sort((a, b) => b.ops.length - a.ops.length).forEach((job, i) => batches[i % threads]!.push(job));
    const tasks: WorkerTask[] = batches.map((batch) => ({ model: model.name, init: options.init, jobs: batch, budget, stopOnInvalid }));
    // Threads are the rare case: the pool (and node:worker_threads) load only then.
    await (await import('./pool.js')).runInWorkers(tasks, report);
  };
  if (requested !== 'auto' && requested > 0 && threadable) {
    await onThreads(jobs, requested);
  } else {
    const cores = availableParallelism();
    const handOffAt = requested === 'auto' && threadable && cores > 1 ? performance.now() + (options.handOffMs ?? AUTO_HAND_OFF_MS) : Infinity;
    const left = runRoundRobin(model, options.init, jobs, { ...options.search, deadline, maxCacheBytes: memory }, stopOnInvalid, report, handOffAt);
    if (left.length > 0) await onThreads(left, cores);
  }
  // Array.from, not map: map skips the holes left by partitions never reported.
  const results = Array.from(
    outcomes,
    (o, i): SearchOutcome =>
      o ?? {
        verdict: 'unknown',
        ops: jobs[i]!.ops.length,
        reason: 'not checked: another partition is already invalid (check them all with --all-partitions)',
        stats: { nodes: 0, cacheEntries: 0, states: 0, elapsedMs: 0 },
      },
  );

  const partitions: PartitionResult[] = results.map((r, i) => ({ key: parts[i]![0], ...r }));
  partitions.sort((a, b) => rank(a) - rank(b));
  const faults = faultIntervals(paired.nemesis);
  for (const p of partitions) if (p.explanation !== undefined) p.sentence = whySentence(p.explanation, paired.ops, faults);
  const verdict = worstVerdict(partitions.map((p) => p.verdict));
  const result: LinearizabilityResult = {
    verdict,
    model: model.name,
    init: options.init ?? null,
    partitions,
    stats: {
      ops: paired.ops.length,
      failed: pruned.failed,
      unknownReads: pruned.unknownReads,
      nilReads: pruned.nilReads,
      infoDropped,
      infoBounded,
      ...(options.settled === undefined ? {} : { infoSettledHappened, infoSettledNot }),
      partitions: partitions.length,
      workers: threads,
      nodes: sum(partitions, (p) => p.stats.nodes),
      cacheEntries: sum(partitions, (p) => p.stats.cacheEntries),
      elapsedMs: performance.now() - started,
    },
  };
  const reasons = [...new Set(partitions.flatMap((p) => (p.verdict === 'unknown' && p.reason !== undefined ? [p.reason] : [])))];
  if (verdict === 'unknown' && reasons.length > 0) result.reason = reasons.join('; ');
  return result;
}

function isPaired(h: readonly HistoryEvent[] | PairedHistory): h is PairedHistory {
  return !Array.isArray(h);
}

function rank(p: PartitionResult): number {
  return p.verdict === 'invalid' ? 0 : p.verdict === 'unknown' ? 1 : 2;
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let total = 0;
  for (const t of items) total += f(t);
  return total;
}
