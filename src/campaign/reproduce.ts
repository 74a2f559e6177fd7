import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import type { Json } from '../history/event.js';
import { type TestSpec, parseTestSpec, specJson } from '../spec/test-spec.js';
import { readHistoryJsonl } from '../store/read-history.js';
import type { TestOutcome } from '../output/index.js';
import { type RecordedFault, recordedSchedule, scheduleKinds } from '../../nemesis/replay.js';
import type { PlannedTest } from './expand.js';
import { parseExactJson } from '../history/exact-json.js';

/** A finished run, as `repro` and `shrink` start from it: its spec, the faults it applied, and what it found. */
export interface RecordedRun {
  readonly dir: string;
  readonly spec: TestSpec;
  readonly schedule: readonly RecordedFault[];
  readonly verdict: string;
  /** What made it invalid, checker by checker (empty for a valid run). */
  readonly anomalies: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function readJson(path: string, what: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`no ${what} at ${path}`, 'give the directory of a run faultline wrote, e.g. store/redis-set/latest');
  }
  try {
    return parseExactJson(text) as Json;
  } catch {
    throw new InputError(path, undefined, `${what} is not JSON`);
  }
}

/**
 * Reads a run directory: test.json's spec, the schedule its history shows was applied, results.json's verdict.
 * `crashedOk`: a run that crashed or was killed has no results.json; re-checking its history is
 * still worth doing (it then reads as `unknown`), so the caller may accept its absence.
 */
export async function loadRecordedRun(dir: string, crashedOk = false): Promise<RecordedRun> {
  const test = await readJson(join(dir, 'test.json'), 'test.json');
  const resultsPath = join(dir, 'results.json');
  const results = crashedOk && !(await exists(resultsPath)) ? null : await readJson(resultsPath, 'results.json');
  const recorded = test !== null && typeof test === 'object' && !Array.isArray(test) ? test['spec'] : undefined;
  if (recorded === undefined) throw new InputError(join(dir, 'test.json'), undefined, 'has no spec');
  const { events } = await readHistoryJsonl(join(dir, 'history.jsonl'));
  const r = results !== null && typeof results === 'object' && !Array.isArray(results) ? results : {};
  const checkers = Array.isArray(r['checkers']) ? r['checkers'] : [];
  const spec = parseTestSpec(recorded);
  // A run that was itself a replay keeps its schedule; otherwise the one its history shows.
  return { dir, spec, schedule: spec.faultSchedule ?? recordedSchedule(events), verdict: String(r['verdict'] ?? 'unknown'), anomalies: anomalyKinds(checkers) };
}

/**
 * What made a run invalid, in comparable words: each invalid checker's name, and for
 * transactional checkers the anomaly types (`transactions: G-single`). Two runs show "the
 * same anomaly" when they share one of these.
 */
export function anomalyKinds(checkers: readonly Json[]): string[] {
  const kinds: string[] = [];
  for (const c of checkers) {
    if (c === null || typeof c !== 'object' || Array.isArray(c) || c['verdict'] !== 'invalid') continue;
    const name = String(c['checker']);
    const d = c['details'];
    const counts = d !== null && typeof d === 'object' && !Array.isArray(d) ? d['anomalyCounts'] : undefined;
    if (counts !== null && typeof counts === 'object' && !Array.isArray(counts) && Object.keys(counts).length > 0) {
      for (const type of Object.keys(counts)) kinds.push(`${name}: ${type}`);
    } else kinds.push(name);
  }
  return kinds;
}

/** Whether a rerun shows an anomaly the original showed. */
export function reproduces(original: RecordedRun, outcome: TestOutcome): boolean {
  if (outcome.verdict !== 'invalid') return false;
  const kinds = anomalyKinds(outcome.checkers.map((c) => ({ checker: c.checker, verdict: c.verdict, details: c.details })));
  return original.anomalies.length === 0 || kinds.some((k) => original.anomalies.includes(k));
}

/**
 * The run again, `n` times: the same spec and seed, the same faults on the same nodes at the
 * same times (a replayed schedule — the kinds limited to those it uses), fresh clusters.
 */
export function reproTests(run: RecordedRun, n: number, schedule: readonly RecordedFault[] = run.schedule, label = 'repro'): PlannedTest[] {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`-n must be a positive integer, got ${n}`);
  const kinds = scheduleKinds(schedule);
  return Array.from({ length: n }, (_, i) => ({
    spec: parseTestSpec({ ...(specJson(run.spec) as object), name: `${run.spec.name}-${label}-${i + 1}`, nemesis: kinds, faultSchedule: [...schedule] }),
    origin: run.dir,
    repetition: i + 1,
    label,
  }));
}

/** `7/10 invalid, same anomaly (lost-updates)` */
export function reproSummary(run: RecordedRun, outcomes: readonly TestOutcome[]): string {
  const same = outcomes.filter((o) => reproduces(run, o)).length;
  const invalid = outcomes.filter((o) => o.verdict === 'invalid').length;
  const what = run.anomalies.length === 0 ? '' : ` (${run.anomalies.join(', ')})`;
  const other = invalid - same > 0 ? `; ${invalid - same} invalid with another anomaly` : '';
  return `${same}/${outcomes.length} reproduced the anomaly${what}${other}`;
}
