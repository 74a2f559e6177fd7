import { type HistoryEvent, NEMESIS } from '../../history/event.js';
import { checkLinearizability, type LinearizabilityOptions } from '../linearizability/check.js';
import type { LinearizabilityResult } from '../linearizability/result.js';
import { type ShrunkHistory, shrinkHistory } from './history.js';
import { exactJsonText } from '../../history/exact-json.js';

/**
 * The smallest sub-history of an invalid key that is still not linearizable in the same way.
 * Only that key's operations can matter to its verdict, so only those are shrunk. Unless the
 * original failure is a value nobody could have produced, a candidate that fails only because
 * its writer was removed ("impossible" reads) is a different failure and is not taken.
 */
export async function shrinkNotLinearizable(
  events: readonly HistoryEvent[],
  result: LinearizabilityResult,
  options: LinearizabilityOptions,
  deadline = Infinity,
): Promise<ShrunkHistory | undefined> {
  const bad = result.partitions.find((p) => p.verdict === 'invalid');
  if (bad === undefined) return undefined;
  const split = options.partition ?? true;
  const key = exactJsonText(bad.key);
  const sameKey = (e: HistoryEvent): boolean => e.process === NEMESIS || !split || bad.key === null || exactJsonText(e.key) === key;
  return shrinkHistory(events.filter(sameKey), failsLike(result, options), deadline);
}

/**
 * Whether a candidate sub-history fails as `result` did: not linearizable, and — unless the
 * original's failure was already a value nobody could have produced — not merely because a
 * read's writer is missing from the candidate.
 */
export function failsLike(result: LinearizabilityResult, options: LinearizabilityOptions): (h: HistoryEvent[]) => Promise<boolean> {
  const quiet: LinearizabilityOptions = { ...options, workers: 0, stopOnInvalid: true };
  const impossibleAllowed = result.partitions.some((p) => p.verdict === 'invalid' && p.explanation?.impossible === true);
  return async (h) => {
    const p = (await checkLinearizability(h, quiet)).partitions.find((q) => q.verdict === 'invalid');
    return p !== undefined && (impossibleAllowed || p.explanation?.impossible !== true);
  };
}
