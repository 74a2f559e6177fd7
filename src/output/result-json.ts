import type { Verdict } from '../checker/verdict.js';
import type { Json } from '../history/event.js';
import { exactJsonText, parseExactJson } from '../history/exact-json.js';
import { version } from '../version.js';
import type { CheckResult } from '../../workloads/workload.js';
import { describeChecker } from './outcome.js';
import { SUMMARY_FORMAT } from './summary-json.js';

/** Which command printed a result: the fields beyond the common ones depend on it. */
export type ResultCommand = 'run' | 'check';

export interface ResultCore {
  readonly verdict: Verdict;
  readonly exitCode: number;
  /** The run directory (`run`, `check RUN_DIR`). */
  readonly runDir?: string;
  /** The history file (`check FILE`). */
  readonly file?: string;
  readonly checkers: readonly CheckResult[];
  readonly errors?: readonly string[];
}

/**
 * What `run --json` and `check --json` print, in the shape schema/result.schema.json
 * describes (campaign --json shares its first fields): the format version, faultline's
 * version, the command, verdict and exit code, the first finding in one sentence, each
 * checker's verdict and sentence — then the command's own fields (`body`), unchanged.
 */
export function resultJson(command: ResultCommand, core: ResultCore, body: { readonly [k: string]: Json } = {}): Json {
  const checkers = core.checkers.map((c) => ({
    checker: c.checker,
    verdict: c.verdict,
    ...(c.verdict === 'valid' ? {} : { explanation: describeChecker(c) }),
    ...(body['checkers'] === undefined ? {} : { details: c.details }),
  }));
  const first = checkers.find((c) => c.verdict === 'invalid') ?? checkers.find((c) => c.verdict === 'unknown');
  const envelope = {
    format: SUMMARY_FORMAT,
    faultline: version,
    command,
    verdict: core.verdict,
    exitCode: core.exitCode,
    ...(first?.explanation === undefined ? {} : { explanation: `${first.checker}: ${first.explanation}` }),
    ...(core.runDir === undefined ? {} : { runDir: core.runDir }),
    ...(core.file === undefined ? {} : { file: core.file }),
    checkers,
    errors: [...(core.errors ?? [])],
  };
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !(k in envelope)));
  return parseExactJson(exactJsonText({ ...envelope, ...rest })) as Json;
}
