import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { FaultlineError } from '../errors.js';
import { guardOutputStreams } from './closed-output.js';
import { isTearingDown } from '../cluster/teardown.js';
import { ExitCode } from '../exit-codes.js';
import { version } from '../version.js';

/**
 * Commander is CommonJS: required, not imported, it costs about half as much CPU at start-up
 * (an ESM import of it runs the loader's export scan over its 90 KB of source — ~20 ms of a
 * `--help`, docs/run.md).
 */
const { Command, CommanderError, Help } = createRequire(import.meta.url)('commander') as typeof Commander;
type Command = Commander.Command;

type Register = (program: Command) => void;

interface CommandEntry {
  /** How `faultline --help` lists it (Commander's term: name, [options], arguments). */
  readonly term: string;
  readonly description: string;
  /** The module that registers it for real (flags, action). */
  readonly load: () => Promise<Register>;
}

const loadRepro = async (): Promise<Register> => (await import('./commands/repro.js')).registerRepro;

/**
 * Every command, in `--help` order, with the module that registers it, loaded only for
 * the command named: a `check` must not pay for the Docker client, four database clients
 * and the report renderer, nor `--help` for all of them (~1 s of CPU). The others are
 * listed from this table (name and description only; test/unit/cli-help.test.ts keeps
 * it equal to what the modules register).
 */
export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map<string, CommandEntry>([
  ['images', { term: 'images', description: 'build the Docker images the cluster nodes run', load: async () => (await import('./commands/images.js')).registerImages }],
  ['cluster', { term: 'cluster', description: 'long-lived development clusters', load: async () => (await import('./commands/cluster.js')).registerCluster }],
  [
    'clean',
    {
      term: 'clean [options] [pattern]',
      description: 'remove the clusters whose CLI is gone (killed runs, `cluster up` clusters): made on this host by a process that no longer runs; images are kept',
      load: async () => (await import('./commands/clean.js')).registerClean,
    },
  ],
  [
    'check',
    {
      term: 'check [options] <file>',
      description: 'check a recorded history (faultline JSONL, Jepsen EDN or jepsen.log, Elle JSON) and exit 0 valid, 1 invalid, 2 unknown',
      load: async () => (await import('./commands/check.js')).registerCheck,
    },
  ],
  ['run', { term: 'run [options]', description: 'start a cluster, run a workload under faults, check the history, tear down', load: async () => (await import('./commands/run.js')).registerRun }],
  [
    'report',
    {
      term: 'report [options] <run-dir>',
      description: 'write the self-contained HTML report of a stored run (default: RUN_DIR/report.html)',
      load: async () => (await import('./commands/report.js')).registerReport,
    },
  ],
  [
    'serve',
    {
      term: 'serve [options] [store]',
      description: 'browse a run store on http://127.0.0.1: an index of runs (name, time, verdict) with each report and file',
      load: async () => (await import('./commands/serve.js')).registerServe,
    },
  ],
  [
    'campaign',
    {
      term: 'campaign [options] <file>',
      description: 'run a matrix of tests from a campaign file; exit code = the worst verdict',
      load: async () => (await import('./commands/campaign.js')).registerCampaign,
    },
  ],
  [
    'repro',
    {
      term: 'repro [options] <run-dir>',
      description: 'run a recorded test again N times (same spec, seed and fault schedule, fresh clusters) and say how often its anomaly reproduces',
      load: loadRepro,
    },
  ],
  [
    'shrink',
    {
      term: 'shrink [options] <run-dir>',
      description: 'find the smallest part of a recorded fault schedule that still reproduces the anomaly (delta debugging, each candidate run --runs times)',
      load: loadRepro,
    },
  ],
  [
    'merge',
    {
      term: 'merge [options] <dirs...>',
      description: 'combine the campaign directories of sharded runs (campaign --shard i/n) into one index, summary, JUnit file and exit code',
      load: async () => (await import('./commands/merge.js')).registerMerge,
    },
  ],
]);

/**
 * The CLI is a thin shell: each command parses its flags, calls one library function and
 * maps the result to an exit code. Commands set `process.exitCode` through their return
 * value; errors meant for people are FaultlineErrors, anything else is a bug. Given the
 * arguments, only the command they name is loaded (`help X` names X); every other one is
 * a name and a description in the help (and for did-you-mean). `all` loads every module
 * (for tests).
 */
export async function buildProgram(argv: readonly string[] = [], all = false): Promise<Command> {
  const program = new Command('faultline')
    .description('Jepsen-style black-box testing of distributed systems')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  const loaded = new Set<() => Promise<Register>>();
  const listed = new Map<Command, string>();
  for (const [name, entry] of COMMANDS) {
    if (all || name === named || (entry.load === COMMANDS.get(named ?? '')?.load)) {
      if (!loaded.has(entry.load)) (await entry.load())(program);
      loaded.add(entry.load);
      continue;
    }
    listed.set(program.command(name).description(entry.description), entry.term);
  }
  if (listed.size > 0) {
    const term = Help.prototype.subcommandTerm;
    program.configureHelp({ subcommandTerm: (cmd) => listed.get(cmd) ?? term.call(program.createHelp(), cmd) });
  }
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
