import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Verdict, worstVerdict } from '../checker/verdict.js';
import { loadRecordedRun } from './reproduce.js';
import { parseExactJson } from '../history/exact-json.js';
import { readHistoryJsonl } from '../store/read-history.js';
import type { CheckResult } from '../../workloads/workload.js';
import { planRun } from '../execute/plan.js';
import { emptyPassReasons } from '../execute/guards.js';
import { type HistoryEvent, NEMESIS } from '../history/event.js';

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
  // A crashed run has no results.json: its history is checked anyway, and recordedReasons keeps it short of valid.
  const run = await loadRecordedRun(dir, true);
  const plan = await planRun(run.spec);
  const { events, tornTail } = await readHistoryJsonl(join(dir, 'history.jsonl'));
  const checkers = await plan.workload.check(events, plan.workloadOptions);
  const reasons = [...(await recordedReasons(dir, events))];
  // Judged again from the history itself: a history cut short or emptied after the run
  // (or a results.json from another run) must not inherit that run's clean bill.
  for (const r of emptyPassReasons(events, { minOk: run.spec.minOk, faults: plan.nemesis.kinds })) if (!reasons.includes(r)) reasons.push(r);
  if (tornTail) reasons.push('history.jsonl ends in a torn line: the run was killed while writing it');
  const checked = worstVerdict(checkers.map((c) => c.verdict));
  const verdict = checked === 'valid' && reasons.length > 0 ? 'unknown' : checked;
  return { dir, verdict, checkers, reasons };
}

/**
 * results.json's reasons for not calling the run valid (an early stop, too few ok operations),
 * and a history that holds fewer invocations than the run counted: it was cut after the run.
 */
async function recordedReasons(dir: string, events: readonly HistoryEvent[]): Promise<string[]> {
  try {
    const results = parseExactJson(await readFile(join(dir, 'results.json'), 'utf8')) as { verdictReasons?: unknown; ops?: { invoked?: unknown } };
    const reasons = Array.isArray(results.verdictReasons) ? results.verdictReasons.map(String) : [];
    const counted = results.ops?.invoked;
    const invoked = events.filter((e) => e.process !== NEMESIS && e.type === 'invoke').length;
    if (typeof counted === 'number' && invoked < counted) {
      reasons.push(`history.jsonl holds ${invoked} client invocations but the run counted ${counted}: the history is incomplete`);
    }
    return reasons;
  } catch {
    return ['results.json is missing or unreadable: the run may not have finished'];
  }
}
