import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Verdict, worstVerdict } from '../checker/verdict.js';
import { loadRecordedRun } from './reproduce.js';
import { parseExactJson } from '../history/exact-json.js';
import { readHistoryJsonl } from '../store/read-history.js';
import type { CheckResult } from '../../workloads/workload.js';
import { planRun } from '../execute/plan.js';

export interface Recheck {
  readonly dir: string;
  readonly verdict: Verdict;
  readonly checkers: readonly CheckResult[];
  /** Why the verdict is not the checkers' alone: the run did not finish, its history is torn. */
  readonly reasons: readonly string[];
}

/**
 * Checks a stored run again with the checkers its test used (the workload and options in
 * test.json), so a history can be re-judged after a checker changed. A run that did not
 * finish stays short of `valid` whatever the checkers say: what was never recorded
 * cannot be judged.
 */
export async function recheckRun(dir: string): Promise<Recheck> {
  const run = await loadRecordedRun(dir);
  const plan = await planRun(run.spec);
  const { events, tornTail } = await readHistoryJsonl(join(dir, 'history.jsonl'));
  const checkers = await plan.workload.check(events, plan.workloadOptions);
  const reasons = [...(await recordedReasons(dir))];
  if (tornTail) reasons.push('history.jsonl ends in a torn line: the run was killed while writing it');
  const checked = worstVerdict(checkers.map((c) => c.verdict));
  const verdict = checked === 'valid' && reasons.length > 0 ? 'unknown' : checked;
  return { dir, verdict, checkers, reasons };
}

/** results.json's reasons for not calling the run valid (an early stop, too few ok operations). */
async function recordedReasons(dir: string): Promise<string[]> {
  try {
    const results = parseExactJson(await readFile(join(dir, 'results.json'), 'utf8')) as { verdictReasons?: unknown };
    return Array.isArray(results.verdictReasons) ? results.verdictReasons.map(String) : [];
  } catch {
    return ['results.json is missing or unreadable: the run may not have finished'];
  }
}
