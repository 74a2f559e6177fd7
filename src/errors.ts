import { ExitCode } from './exit-codes.js';

/**
 * An error meant for a person: `message` is one line saying what went wrong and where,
 * `hint` (optional) says how to fix it. The CLI prints both and exits with `exitCode`;
 * anything that is not a FaultlineError is treated as a bug in faultline.
 */
export class FaultlineError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    /** Further problems of the same input, each one line in the same form, printed after the first. */
    readonly also: readonly string[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, an invalid config file, an unsupported combination. */
export class UsageError extends FaultlineError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, hint);
  }
}

/** Malformed input data (a history file): names the file and line. */
export class InputError extends FaultlineError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
    hint?: string,
    also?: readonly string[],
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`, ExitCode.Usage, hint, also);
  }
}

/** The environment failed: Docker missing, image build failed, cluster never healthy. */
export class InfrastructureError extends FaultlineError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Infrastructure, hint);
  }
}
