import { Command, CommanderError } from 'commander';
import { FaultlineError } from '../errors.js';
import { guardOutputStreams } from './closed-output.js';
import { ExitCode } from '../exit-codes.js';
import { registerCampaign } from './commands/campaign.js';
import { registerCheck } from './commands/check.js';
import { registerClean } from './commands/clean.js';
import { registerCluster } from './commands/cluster.js';
import { registerImages } from './commands/images.js';
import { registerRun } from './commands/run.js';
import { registerReport } from './commands/report.js';
import { registerRepro } from './commands/repro.js';
import { registerServe } from './commands/serve.js';
import { version } from '../version.js';

/**
 * The CLI is a thin shell: each command parses its flags, calls one library function and
 * maps the result to an exit code. Commands set `process.exitCode` through their return
 * value; errors meant for people are FaultlineErrors, anything else is a bug.
 */
export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Jepsen-style black-box testing of distributed systems')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerImages(program);
  registerCluster(program);
  registerClean(program);
  registerCheck(program);
  registerRun(program);
  registerReport(program);
  registerServe(program);
  registerCampaign(program);
  registerRepro(program);
  return program;
}

/** Runs the CLI and resolves to the exit code (never throws). */
export async function main(argv: readonly string[]): Promise<number> {
  guardOutputStreams();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Valid;
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed the message (or the help/version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.Valid;
    }
    return ExitCode.Usage;
  }
  if (err instanceof FaultlineError) {
    process.stderr.write(`faultline: ${err.message}\n`);
    for (const more of err.also) process.stderr.write(`faultline: ${more}\n`);
    if (err.hint !== undefined) process.stderr.write(`  hint: ${err.hint}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`faultline: internal error: ${message}\n`);
  if (process.env['FAULTLINE_DEBUG'] !== undefined && err instanceof Error && err.stack !== undefined) {
    process.stderr.write(`${err.stack}\n`);
  } else {
    process.stderr.write('  hint: this is a bug in faultline; rerun with FAULTLINE_DEBUG=1 for a stack trace and report it\n');
  }
  return ExitCode.Internal;
}
