import { type Verdict, worstVerdict } from '../checker/verdict.js';
import { ExitCode, exitCodeForVerdict } from '../exit-codes.js';
import type { Json } from '../history/event.js';
import type { CheckResult } from '../../workloads/workload.js';
import { exactJsonText } from '../history/exact-json.js';

/**
 * How one test ended, as CI sees it:
 * - `checked`: the history was checked; the verdict is the checkers' worst;
 * - `interrupted`: stopped by Ctrl-C, the partial history was checked (never green);
 * - `error`: no verdict at all (Docker missing, cluster never healthy, bad spec);
 * - `not-run`: skipped because the campaign was interrupted.
 */
export type TestStatus = 'checked' | 'interrupted' | 'error' | 'not-run';

/** One test's result in the shape `--json`, `--junit` and annotations share. */
export interface TestOutcome {
  readonly name: string;
  readonly status: TestStatus;
  /** `unknown` whenever status is not `checked`: a test that did not finish is never valid. */
  readonly verdict: Verdict;
  /** Why the verdict is `unknown` although it was checked (the run cut short, an empty pass). */
  readonly verdictReasons?: readonly string[];
  readonly checkers: readonly CheckResult[];
  readonly system?: string;
  readonly workload?: string;
  readonly nemesis?: readonly string[];
  readonly seed?: number;
  readonly runDir?: string;
  readonly durationMs: number;
  /** Why there is no verdict (status `error`). */
  readonly error?: string;
  /** For status `error`: the exit code the error alone would have given (4 infrastructure, 3 usage, 5 internal). */
  readonly errorExitCode?: ExitCode;
  /** Problems reported next to the verdict (teardown failures, …). */
  readonly warnings: readonly string[];
  /** `invalid`: a canary, expected to find a known anomaly; `source` says who says so. */
  readonly expect?: { readonly verdict: Verdict; readonly source?: string };
}

/**
 * The verdict a test gates on. A canary (expected invalid) passes when the anomaly was
 * found and fails when it was not: a tester that stops seeing a known bug must go red.
 */
export function gatingVerdict(o: TestOutcome): Verdict {
  const real = o.status === 'checked' ? o.verdict : o.verdict === 'invalid' ? 'invalid' : 'unknown';
  if (o.expect?.verdict !== 'invalid' || real === 'unknown') return real;
  return real === 'invalid' ? 'valid' : 'invalid';
}

/** A canary's finding (or silence) in one line, for reports. */
export function expectationText(o: TestOutcome): string | undefined {
  if (o.expect?.verdict !== 'invalid') return undefined;
  const source = o.expect.source === undefined ? '' : ` (${o.expect.source})`;
  if (o.verdict === 'invalid') return `found the known anomaly, as expected${source}`;
  if (o.verdict === 'valid') return `expected invalid${source}, but faultline did not find the known anomaly`;
  return undefined;
}

/** The verdict a set of tests gates on: anything not checked counts as unknown. */
export function overallVerdict(outcomes: readonly TestOutcome[]): Verdict {
  if (outcomes.length === 0) return 'unknown';
  return worstVerdict(outcomes.map(gatingVerdict));
}

/**
 * The exit code for a set of tests: an interruption wins (130), then the worst verdict
 * (invalid 1 > unknown 2 > valid 0). An infrastructure failure of one test makes the
 * whole unknown — never green — but an anomaly found by another test still says 1; when
 * no test got a verdict at all, the first error's own code (e.g. 4, no Docker).
 */
export function exitCodeFor(outcomes: readonly TestOutcome[]): ExitCode {
  if (outcomes.some((o) => o.status === 'interrupted' || o.status === 'not-run')) return ExitCode.Interrupted;
  // Nothing got a verdict: say why (no Docker → 4) rather than a bare "unknown".
  const first = outcomes[0];
  if (first !== undefined && outcomes.every((o) => o.status === 'error')) return first.errorExitCode ?? ExitCode.Unknown;
  return exitCodeForVerdict(overallVerdict(outcomes));
}

/**
 * A checker's finding in one line, for JUnit messages and annotations. Checkers put
 * different things in `details`; the usual fields are tried in order, else the JSON.
 */
export function describeChecker(c: CheckResult, maxChars = 500): string {
  const d = c.details;
  let text: string | undefined;
  if (d !== null && typeof d === 'object' && !Array.isArray(d)) {
    for (const key of ['reason', 'explanation', 'message', 'anomaly', 'error', 'summary'] as const) {
      const v = d[key];
      if (typeof v === 'string' && v.trim() !== '') {
        text = v;
        break;
      }
    }
    text ??= describeNotLinearizable(d['notValid']);
    if (text === undefined && Array.isArray(d['anomalies'])) text = `anomalies: ${exactJsonText(d['anomalies'])}`;
  }
  text ??= exactJsonText(d satisfies Json) ?? '';
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars - 1)}…` : oneLine;
}

/** The linearizability checker's first failing key: the op that could not be placed, and the state it met. */
function describeNotLinearizable(notValid: Json | undefined): string | undefined {
  if (!Array.isArray(notValid)) return undefined;
  const first = notValid[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return undefined;
  const e = first['explanation'];
  const key = first['key'] === null || first['key'] === undefined ? '' : `key ${exactJsonText(first['key'])}: `;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) {
    return typeof first['reason'] === 'string' ? `${key}${first['reason']}` : undefined;
  }
  const op = e['blocked'];
  const opText =
    op !== null && typeof op === 'object' && !Array.isArray(op)
      ? `process ${exactJsonText(op['process'])} ${String(op['f'])} ${exactJsonText(op['input'])} → ${exactJsonText(op['output'] ?? null)}`
      : 'an operation';
  const more = notValid.length > 1 ? ` (and ${notValid.length - 1} more key(s))` : '';
  return `${key}not linearizable: ${opText} cannot be placed after a linearizable prefix of ${String(e['prefixLength'])} op(s); model state(s) met: ${exactJsonText(e['states'])}${more}`;
}
