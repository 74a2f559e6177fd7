import { Command, CommanderError } from 'commander';
import { FaultlineError } from '../errors.js';
import { guardOutputStreams } from './closed-output.js';
import { isTearingDown } from '../cluster/teardown.js';
import { ExitCode } from '../exit-codes.js';
import { version } from '../version.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: `check` must not pay for the Docker
 * client, four database clients and the report renderer (most of the start-up time).
 * The order is the order of `--help`.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['images', async () => (await import('./commands/images.js')).registerImages],
  ['cluster', async () => (await import('./commands/cluster.js')).registerCluster],
  ['clean', async () => (await import('./commands/clean.js')).registerClean],
  ['check', async () => (await import('./commands/check.js')).registerCheck],
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['report', async () => (await import('./commands/report.js')).registerReport],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['campaign', async () => (await import('./commands/campaign.js')).registerCampaign],
  ['repro', async () => (await import('./commands/repro.js')).registerRepro],
  ['merge', async () => (await import('./commands/merge.js')).registerMerge],
];

/**
 * The CLI is a thin shell: each command parses its flags, calls one library function and
 * maps the result to an exit code. Commands set `process.exitCode` through their return
 * value; errors meant for people are FaultlineErrors, anything else is a bug. Given the
 * arguments, only the command they name is loaded (all of them for help, or a typo).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('faultline')
    .description('Jepsen-style black-box testing of distributed systems')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = COMMANDS.filter(([name]) => name === named);
  for (const [, load] of wanted.length === 1 ? wanted : COMMANDS) (await load())(program);
  return program;
}

/** Runs the CLI and resolves to the exit code (never throws). */
export async function main(argv: readonly string[]): Promise<number> {
  guardOutputStreams();
  const program = await buildProgram(argv);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Valid;
  } catch (err) {
    // Interrupted: what failed did so because its work was being torn down; the signal's
    // handler finishes the teardown and exits 130.
    if (isTearingDown()) return new Promise<number>(() => undefined);
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
