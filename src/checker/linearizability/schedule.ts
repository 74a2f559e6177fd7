import type { Json } from '../../history/event.js';
import type { CheckedOp } from './info-ops.js';
import type { AnyModel } from './model.js';
import { type Budget, memoryReason, PartitionSearch, type SearchOutcome } from './search.js';

export interface PartitionJob {
  index: number;
  ops: CheckedOp[];
}

/** Search steps in a partition's first turn; each round doubles it. */
const FIRST_SLICE = 2_000;

/**
 * Checks several partitions in one thread, round-robin with growing slices, so a
 * partition that fails quickly is found before a hard one is finished: one invalid
 * partition settles the verdict, and with `stopOnInvalid` the rest are not searched.
 * The memory budget covers every search alive in the thread; past it the biggest stops.
 * Past `handOffAt` (a performance.now() time), if two or more partitions are still
 * unfinished, returns them unreported (to be checked on worker threads); otherwise [].
 */
export function runRoundRobin(
  model: AnyModel,
  initial: Json | undefined,
  jobs: readonly PartitionJob[],
  budget: Budget,
  stopOnInvalid: boolean,
  report: (index: number, outcome: SearchOutcome) => void,
  handOffAt = Infinity,
): PartitionJob[] {
  let active = jobs.map((job) => ({ job, index: job.index, search: new PartitionSearch(model, initial, job.ops, budget) }));
  for (let slice = FIRST_SLICE; active.length > 0; slice *= 2) {
    const still: typeof active = [];
    for (const job of active) job.search.share(active.length);
    for (const job of active) {
      const outcome = job.search.advance(slice);
      if (outcome === undefined) {
        still.push(job);
        continue;
      }
      report(job.index, outcome);
      if (stopOnInvalid && outcome.verdict === 'invalid') return [];
    }
    active = still;
    if (active.length >= 2 && performance.now() > handOffAt) return active.map((a) => a.job);
    let total = 0;
    for (const job of active) total += job.search.cacheBytes;
    while (total > budget.maxCacheBytes && active.length > 0) {
      const biggest = active.reduce((a, b) => (b.search.cacheBytes > a.search.cacheBytes ? b : a));
      report(biggest.index, biggest.search.stop(memoryReason(budget.maxCacheBytes)));
      total -= biggest.search.cacheBytes;
      active = active.filter((j) => j !== biggest);
    }
  }
  return [];
}
