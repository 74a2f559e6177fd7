import type { ExecuteResult } from '../execute/execute.js';
import type { TestSpec } from '../spec/test-spec.js';
import { FaultlineError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { TestOutcome } from './outcome.js';

/** A finished `executeTest` as CI sees it. */
export function outcomeOfRun(spec: TestSpec, r: ExecuteResult, durationMs: number): TestOutcome {
  return {
    ...specFields(spec),
    status: r.interrupted ? 'interrupted' : 'checked',
    // An interrupted run's partial history may still show an anomaly; otherwise it proves nothing.
    verdict: r.interrupted && r.verdict === 'valid' ? 'unknown' : r.verdict,
    ...(r.verdictReasons.length === 0 ? {} : { verdictReasons: r.verdictReasons }),
    checkers: r.checkers,
    runDir: r.runDir,
    durationMs,
    warnings: r.errors,
  };
}

/** A test that ended without a verdict (Docker missing, cluster never healthy, …). */
export function outcomeOfError(spec: TestSpec, err: unknown, durationMs: number): TestOutcome {
  const message = err instanceof Error ? err.message : String(err);
  const hint = err instanceof FaultlineError && err.hint !== undefined ? ` (hint: ${err.hint})` : '';
  const kind = err instanceof FaultlineError ? '' : 'internal error: ';
  return { ...specFields(spec), status: 'error', verdict: 'unknown', checkers: [], durationMs, errorExitCode: err instanceof FaultlineError ? err.exitCode : ExitCode.Internal, error: `${kind}${message}${hint}`, warnings: [] };
}

export function outcomeNotRun(spec: TestSpec): TestOutcome {
  return { ...specFields(spec), status: 'not-run', verdict: 'unknown', checkers: [], durationMs: 0, warnings: [] };
}

function specFields(spec: TestSpec): Pick<TestOutcome, 'name' | 'system' | 'workload' | 'nemesis' | 'seed'> {
  return { name: spec.name, system: spec.system, workload: spec.workload, nemesis: spec.nemesis, seed: spec.seed };
}
