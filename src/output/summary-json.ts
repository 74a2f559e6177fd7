import type { Json } from '../history/event.js';
import { version } from '../version.js';
import { type TestOutcome, exitCodeFor, overallVerdict } from './outcome.js';
import { exactJsonText, parseExactJson } from '../history/exact-json.js';

/** Bumped when a field changes meaning or disappears; adding fields keeps it. */
export const SUMMARY_FORMAT = 1;

/**
 * The machine-readable summary `--json` prints on stdout: the overall verdict and exit
 * code, counts, and per test its status, verdict, checkers and run directory.
 */
export function summaryJson(outcomes: readonly TestOutcome[], extra: { readonly [k: string]: Json } = {}): Json {
  const counts = { valid: 0, invalid: 0, unknown: 0, error: 0, notRun: 0, interrupted: 0 };
  for (const o of outcomes) {
    if (o.status === 'error') counts.error++;
    else if (o.status === 'not-run') counts.notRun++;
    else if (o.status === 'interrupted') counts.interrupted++;
    else counts[o.verdict]++;
  }
  return parseExactJson(
    exactJsonText({
      format: SUMMARY_FORMAT,
      faultline: version,
      command: 'campaign',
      ...extra,
      verdict: overallVerdict(outcomes),
      exitCode: exitCodeFor(outcomes),
      counts,
      tests: outcomes.map((o) => ({
        name: o.name,
        status: o.status,
        verdict: o.verdict,
        system: o.system,
        workload: o.workload,
        nemesis: o.nemesis,
        seed: o.seed,
        durationMs: Math.round(o.durationMs),
        runDir: o.runDir,
        error: o.error,
        warnings: o.warnings,
        ...(o.expect === undefined ? {} : { expect: o.expect }),
        checkers: o.checkers.map((c) => ({ checker: c.checker, verdict: c.verdict, details: c.details })),
      })),
    }),
  ) as Json;
}
