import type { Verdict } from './checker/verdict.js';

/**
 * Exit codes are a contract with CI pipelines: stable, documented in the README,
 * and never reused for a different meaning.
 */
export const ExitCode = {
  /** Every checker said valid. */
  Valid: 0,
  /** A checker found an anomaly. */
  Invalid: 1,
  /** A checker could not decide (budget exceeded), or the run did not complete. */
  Unknown: 2,
  /** Bad flags, bad config file, malformed history: the user must fix their input. */
  Usage: 3,
  /** The environment failed us: no Docker engine, a cluster that never became healthy, an image build failure. */
  Infrastructure: 4,
  /** A bug in faultline itself. */
  Internal: 5,
  /** Interrupted by SIGINT/SIGTERM, or the reader of the output went away (after cleaning up). */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeForVerdict(verdict: Verdict): ExitCode {
  switch (verdict) {
    case 'valid':
      return ExitCode.Valid;
    case 'invalid':
      return ExitCode.Invalid;
    case 'unknown':
      return ExitCode.Unknown;
  }
}
