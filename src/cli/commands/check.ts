import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BANK_ACCOUNTS, BANK_TOTAL } from '../../systems/bank-size.js';
import { WORKLOAD_CHECKERS, checkWorkloadHistory, requireTransactions } from './check-workloads.js';
import { describeChecker } from '../../output/outcome.js';
import { resultJson } from '../../output/result-json.js';
import type { Verdict } from '../../checker/verdict.js';
import { checkLinearizability } from '../../checker/linearizability/check.js';
import { describeResult } from '../../checker/linearizability/describe.js';
import { MODELS } from '../../checker/linearizability/models/index.js';
import { InputError, UsageError } from '../../errors.js';
import { type HistoryEvent, type Json, NEMESIS } from '../../history/event.js';
import { TORN_TAIL, serializeEvent } from '../../history/formats/jsonl.js';
import type { ShrunkHistory } from '../../checker/shrink/history.js';
import { type HistoryFormat, detectFormat, parseHistory, readHistoryText } from '../../history/read.js';
import { streamHistoryFile } from '../../history/stream.js';
import type { NilReads } from '../../checker/linearizability/partition.js';
import { didYouMean } from '../../spec/did-you-mean.js';
import { CONSISTENCY_MODELS, isConsistencyModel } from '../../checker/txn/models.js';
import { TXN_WORKLOADS, type TxnWorkload } from '../../checker/txn/types.js';
import type { TxnColumns } from '../../checker/txn/columns.js';
import { exitCodeForVerdict } from '../../exit-codes.js';
import { exactJsonText, parseExactJson } from '../../history/exact-json.js';

export interface CheckFlags {
  model?: string;
  workload?: string;
  consistency?: string;
  init?: string;
  json?: boolean;
  timeLimit?: string;
  memoryLimit?: string;
  partition: boolean;
  allPartitions?: boolean;
  workers?: string;
  shrink?: boolean;
  accounts?: string;
  total?: string;
  linearizableSet?: boolean;
  unordered?: boolean;
  nilRead?: string;
  linearizableKeys?: boolean;
  sequentialKeys?: boolean;
  wfrKeys?: boolean;
  transactionOrder?: string;
}

/**
 * `faultline check FILE`: which checker runs is chosen by flags — `--model` for
 * linearizability; other checkers (e.g. `--workload` for transactions) plug in beside it
 * in `chooseChecker`.
 */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check a recorded history (faultline JSONL, Jepsen EDN or jepsen.log, Elle JSON) and exit 0 valid, 1 invalid, 2 unknown')
    .argument('<file>', 'the history file (its format is detected from the content), or a run directory: checked again with its own checkers')
    .option('--model <name>', `check linearizability against a model: ${[...MODELS.keys()].join(', ')}`)
    .option('--workload <name>', `check transactions for anomalies (Elle-style): ${TXN_WORKLOADS.join(', ')}; or bank, queue, stream-queue, counter, set, set-full, watch, register-watched, election, long-fork, comments, sequential (the checkers of those workloads; register-watched checks the registers with the info writes the change stream settled; long-fork takes rw-register or list-append transactions; comments and sequential are Jepsen's CockroachDB checks)`)
    .option('--accounts <n>', `with --workload bank: the number of accounts (default ${BANK_ACCOUNTS})`)
    .option('--total <n>', `with --workload bank: what every read must sum to (default ${BANK_TOTAL})`)
    .option('--linearizable-set', 'with --workload set-full: an element missing from a read begun after it was known (a stale read) is an error, as Jepsen\'s :linearizable? true')
    .option('--unordered', 'with --workload queue: the queue promises no order, so skip the FIFO check (lost / unexpected / duplicated elements are still checked)')
    .option('--consistency <model>', `with --workload: the model to check against (default strict-serializable): ${CONSISTENCY_MODELS.join(', ')}`)
    .option('--init <value>', "the model's initial state, as JSON (otherwise taken as a string); default: absent/null, \"\" for kv")
    .option('--linearizable-keys', 'with --workload rw-register: every key is linearizable, so real time orders its reads and writes (version order, as Elle)')
    .option('--sequential-keys', "with --workload rw-register: every key is sequential, so each process's reads and writes of it are in version order")
    .option('--wfr-keys', 'with --workload rw-register: writes follow reads, so a transaction that read a key and then wrote it wrote a later version (implied by every model but read-uncommitted)')
    .option('--transaction-order <file>', 'with --workload rw-register: the database\'s commit order, a JSON object or EDN map from completion event index to position; each key\'s versions follow it (Elle\'s :transaction-order)')
    .option('--nil-read <reading>', 'an ok read of nil: absent (the register held nothing) or any (value unknown, as Knossos); default: any for Jepsen EDN and jepsen.log, absent otherwise')
    .option('--json', 'print the full result (partitions, explanation, stats) as JSON')
    .option('--time-limit <seconds>', 'give up after this long: the verdict is then unknown')
    .option('--memory-limit <MiB>', 'memory for the search\'s tables; past it the verdict is unknown (default: 2048)')
    .option('--no-partition', 'check as one history even when operations carry keys')
    .option('--all-partitions', 'keep checking the other keys after one is found invalid')
    .option('--shrink', 'when invalid, also print the smallest failing sub-history (1-minimal: removing any one operation makes it valid)')
    .option('--workers <n>', 'worker threads for independent keys: auto (default: hard keys move to threads after 250 ms), N, or 0 for none')
    .action(async (file: string, flags: CheckFlags) => {
      process.exitCode = (await isDirectory(file)) ? await checkRunDir(file, flags) : await chooseChecker(flags)(file, flags);
    });
}

type Checker = (file: string, flags: CheckFlags) => Promise<number>;

/** A history of a non-transactional workload (bank, queue, counter, set): its workload's checkers. */
async function checkWorkloadFile(file: string, flags: CheckFlags): Promise<number> {
  const { events, notes, torn } = await readNoting(file);
  const timeLimit = flags.timeLimit === undefined ? {} : { timeLimitMs: positive(flags.timeLimit, '--time-limit') * 1000 };
  const checked = await checkWorkloadHistory(flags.workload!, events, file, { ...flags, ...timeLimit });
  const r: { verdict: Verdict; checkers: typeof checked.checkers; reason?: string } = uncut(checked, torn);
  if (flags.json === true) {
    const core = { verdict: r.verdict, exitCode: exitCodeForVerdict(r.verdict), file, checkers: r.checkers, ...(r.reason === undefined ? {} : { errors: [r.reason] }) };
    process.stdout.write(`${exactJsonText(resultJson('check', core, { checkers: [], ...(notes.length === 0 ? {} : { notes }) }), null, 2)}\n`);
  } else {
    const lines = [`${file}: ${r.verdict}`, ...r.checkers.map((c) => `  ${c.checker}: ${c.verdict} — ${describeChecker(c)}`), ...(r.reason === undefined ? [] : [`  not valid because ${r.reason}`])];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return exitCodeForVerdict(r.verdict);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** A run directory: its own checkers again, as its test.json says (no flags needed). */
async function checkRunDir(dir: string, flags: CheckFlags): Promise<number> {
  if (flags.model !== undefined || flags.workload !== undefined) {
    throw new UsageError('a run directory is checked with its own checkers; --model and --workload are for history files', `check ${join(dir, 'history.jsonl')} --model NAME to choose`);
  }
  // Loaded here: a run's checkers come with the system registry and its clients.
  const { recheckRun } = await import('../../campaign/recheck.js');
  const r = await recheckRun(dir);
  if (flags.json === true) {
    const core = { verdict: r.verdict, exitCode: exitCodeForVerdict(r.verdict), runDir: dir, checkers: r.checkers, errors: r.reasons };
    process.stdout.write(`${exactJsonText(resultJson('check', core, { checkers: [] }), null, 2)}\n`);
  } else {
    const lines = [`${dir}: ${r.verdict}`, ...r.checkers.map((c) => `  ${c.checker}: ${c.verdict}${c.verdict === 'valid' ? '' : ` — ${describeChecker(c)}`}`), ...r.reasons.map((why) => `  not valid because ${why}`)];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return exitCodeForVerdict(r.verdict);
}

function chooseChecker(flags: CheckFlags): Checker {
  if (flags.model !== undefined && flags.workload !== undefined) {
    throw new UsageError('check takes one checker: --model (linearizability) or --workload (transactions), not both');
  }
  if (flags.model !== undefined) return checkModel;
  if (flags.workload !== undefined && WORKLOAD_CHECKERS.has(flags.workload)) return checkWorkloadFile;
  if (flags.workload !== undefined) return checkTxn;
  throw new UsageError(
    'check needs a checker: --model NAME or --workload NAME',
    `for linearizability, e.g. --model cas-register (models: ${[...MODELS.keys()].join(', ')}); for transactions, e.g. --workload list-append --consistency serializable`,
  );
}

async function checkTxn(file: string, flags: CheckFlags): Promise<number> {
  const workload = flags.workload!;
  if (!(TXN_WORKLOADS as readonly string[]).includes(workload)) {
    throw new UsageError(`unknown workload "${workload}"`, `transactional workloads: ${TXN_WORKLOADS.join(', ')}`);
  }
  const consistency = flags.consistency ?? 'strict-serializable';
  if (!isConsistencyModel(consistency)) {
    throw new UsageError(`unknown consistency model "${consistency}"`, `models: ${CONSISTENCY_MODELS.join(', ')}`);
  }
  if (workload === 'list-append') {
    const asserted = (['linearizableKeys', 'sequentialKeys', 'wfrKeys', 'transactionOrder'] as const).find((f) => flags[f] !== undefined && flags[f] !== false);
    if (asserted !== undefined) {
      const flag = `--${asserted.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UsageError(`${flag} is for --workload rw-register`, 'list-append reads show the whole version order already');
    }
  }
  const { checkTransactionColumns, formatTxnResult, TxnEventColumns } = await import('../../checker/txn/index.js');
  // Events go straight into columns (no operation objects); without --shrink the file is
  // streamed into them, so neither its text nor its events are ever held whole.
  const read = flags.shrink === true ? await readNoting(file) : await streamTxnColumns(file, new TxnEventColumns(workload as TxnWorkload, file));
  const { notes } = read;
  const options = {
    workload: workload as TxnWorkload,
    consistency,
    file,
    ...(flags.timeLimit === undefined ? {} : { timeLimitMs: positive(flags.timeLimit, '--time-limit') * 1000 }),
    ...(flags.linearizableKeys === true ? { linearizableKeys: true } : {}),
    ...(flags.sequentialKeys === true ? { sequentialKeys: true } : {}),
    ...(flags.wfrKeys === true ? { wfrKeys: true } : {}),
    ...(flags.transactionOrder === undefined ? {} : { transactionOrder: await readTransactionOrder(flags.transactionOrder) }),
  };
  const columnsOf = (h: readonly HistoryEvent[]): ReturnType<InstanceType<typeof TxnEventColumns>['finish']> => {
    const sink = new TxnEventColumns(options.workload, file);
    for (const e of h) sink.add(e);
    return sink.finish();
  };
  const events = 'events' in read ? read.events : [];
  requireTransactions('events' in read ? events.filter((e) => e.process !== NEMESIS) : read.operations, file, workload);
  const columns = 'events' in read ? columnsOf(events) : read.finish();
  const result = uncut(checkTransactionColumns(columns, options), read.torn);
  const kinds = new Set(Object.keys(result.anomalyCounts));
  const sameFailure = async (h: HistoryEvent[]): Promise<boolean> => {
    const r = checkTransactionColumns(columnsOf(h), options);
    return r.verdict === 'invalid' && Object.keys(r.anomalyCounts).every((k) => kinds.has(k));
  };
  const shrunk = flags.shrink === true && result.verdict === 'invalid' ? await (await import('../../checker/shrink/history.js')).shrinkHistory(events, sameFailure, shrinkDeadline(flags)) : undefined;
  const shown = { ...result, ...(shrunk === undefined ? {} : { shrunk }), ...(notes.length === 0 ? {} : { notes }) };
  process.stdout.write(flags.json === true ? `${exactJsonText(fileResult(file, 'transactions', shown), null, 2)}\n` : `${formatTxnResult(result).trimEnd()}\n${describeShrunk(shrunk)}`);
  return exitCodeForVerdict(result.verdict);
}

async function readTransactionOrder(path: string): Promise<Map<number, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, undefined, `cannot read the transaction order: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const { parseTransactionOrder } = await import('../../checker/txn/transaction-order.js');
  return parseTransactionOrder(text, path);
}

async function checkModel(file: string, flags: CheckFlags): Promise<number> {
  const options = {
    model: flags.model!,
    partition: flags.partition,
    stopOnInvalid: flags.allPartitions !== true,
    file,
    ...(flags.init === undefined ? {} : { init: parseInit(flags.init) }),
    ...(flags.timeLimit === undefined ? {} : { timeLimitMs: positive(flags.timeLimit, '--time-limit') * 1000 }),
    ...(flags.memoryLimit === undefined ? {} : { memoryLimitBytes: positive(flags.memoryLimit, '--memory-limit') * 2 ** 20 }),
    ...(flags.workers === undefined || flags.workers === 'auto' ? {} : { workers: count(flags.workers, '--workers') }),
  };
  // Resolve the model before reading: a typo should not wait for a big file.
  if (!MODELS.has(options.model)) {
    throw new UsageError(`unknown model "${options.model}"`, `models: ${[...MODELS.keys()].join(', ')}`);
  }
  const { events, notes, format, torn } = await readNoting(file);
  const nilReads = nilReadsFor(flags, format);
  const result = uncut(await checkLinearizability(events, { ...options, nilReads }), torn);
  // The shrinkers are loaded only when asked for (start-up cost of every check, docs/run.md).
  const shrunk = flags.shrink === true ? await (await import('../../checker/shrink/linearizability.js')).shrinkNotLinearizable(events, result, { ...options, nilReads }, shrinkDeadline(flags)) : undefined;
  const shown = { ...result, ...(shrunk === undefined ? {} : { shrunk }), ...(notes.length === 0 ? {} : { notes }) };
  process.stdout.write(flags.json === true ? `${exactJsonText(fileResult(file, 'linearizability', shown), null, 2)}\n` : `${describeResult(file, result)}${describeShrunk(shrunk)}`);
  return exitCodeForVerdict(result.verdict);
}

/** A history file's result in the common result shape (schema/result.schema.json), the checker's own fields after it. */
function fileResult(file: string, checker: string, shown: { verdict: Verdict }): Json {
  const details = parseExactJson(exactJsonText(shown)) as Json;
  const core = { verdict: shown.verdict, exitCode: exitCodeForVerdict(shown.verdict), file, checkers: [{ checker, verdict: shown.verdict, details: explanationOf(shown) ?? details }] };
  return resultJson('check', core, details as { [k: string]: Json });
}

/** The first sentence a checker's result holds (a partition's, an anomaly's), for the summary line. */
function explanationOf(result: object): Json | undefined {
  const r = result as { partitions?: { sentence?: string }[]; anomalies?: { explanation?: string }[] };
  const sentence = r.partitions?.find((p) => p.sentence !== undefined)?.sentence ?? r.anomalies?.[0]?.explanation;
  return sentence === undefined ? undefined : { explanation: sentence };
}

/** Why a history whose last line is torn is not valid: whatever followed it was never recorded. */
const TORN_REASON = 'the history ends in a torn line: the recording was cut (the run was killed), so what followed it is unknown';

/** A verdict on a cut recording: never `valid` (a run that did not finish proves nothing clean). */
function uncut<R extends { verdict: Verdict }>(result: R, torn: boolean): R | (R & { verdict: 'unknown'; reason: string }) {
  return torn && result.verdict === 'valid' ? { ...result, verdict: 'unknown', reason: TORN_REASON } : result;
}

/** The history, and what reading it left out, said at once on stderr (and in --json as `notes`). */
async function readNoting(file: string): Promise<{ events: HistoryEvent[]; notes: string[]; format: HistoryFormat; torn: boolean }> {
  const notes: string[] = [];
  const text = await readHistoryText(file);
  const events = parseHistory(text, file, notes);
  for (const note of notes) process.stderr.write(`faultline: ${note}\n`);
  if (events.length === 0) throw noEvents(file);
  return { events, notes, format: detectFormat(text), torn: notes.some((n) => n.endsWith(TORN_TAIL)) };
}

// A checker given no event could only say "valid" about nothing.
function noEvents(file: string): InputError {
  return new InputError(file, undefined, 'holds no history events: nothing to check', 'a history has one event per line (JSONL or EDN), or is an EDN/JSON collection of them');
}

/**
 * A transactional history file streamed into `sink` (history/stream.ts), with what
 * `readNoting` then `requireTransactions` and the sink would say, in that order: a parse
 * error first, then an empty file, then no transaction, then the sink's own complaint
 * (held back until the file is read; the sink takes no more events after it).
 */
async function streamTxnColumns(
  file: string,
  sink: { add(e: HistoryEvent): void; finish(): TxnColumns },
): Promise<{ notes: string[]; torn: boolean; operations: { f: string }[]; finish: () => TxnColumns }> {
  const notes: string[] = [];
  let refused: { error: unknown } | undefined;
  let txn = false;
  // Enough of the other operation names for requireTransactions' message (five, then "...").
  const others = new Set<string>();
  const { events } = await streamHistoryFile(
    file,
    (e) => {
      if (e.process !== NEMESIS) {
        if (e.f === 'txn') txn = true;
        else if (others.size < 6) others.add(e.f);
      }
      if (refused !== undefined) return;
      try {
        sink.add(e);
      } catch (error) {
        refused = { error };
      }
    },
    notes,
  );
  for (const note of notes) process.stderr.write(`faultline: ${note}\n`);
  if (events === 0) throw noEvents(file);
  return {
    notes,
    torn: notes.some((n) => n.endsWith(TORN_TAIL)),
    operations: txn ? [{ f: 'txn' }] : [...others].map((f) => ({ f })),
    finish: () => {
      if (refused !== undefined) throw refused.error;
      return sink.finish();
    },
  };
}

/**
 * `--nil-read`, or the reading of the file's tradition: Jepsen's formats were checked by
 * Knossos, whose models take a nil read as "value unknown"; faultline's own histories
 * record a read of an empty register as null.
 */
function nilReadsFor(flags: CheckFlags, format: HistoryFormat): NilReads {
  if (flags.nilRead === undefined) return format === 'edn-lines' || format === 'edn-collection' || format === 'jepsen-log' ? 'any' : 'absent';
  if (flags.nilRead === 'absent' || flags.nilRead === 'any') return flags.nilRead;
  throw new UsageError(`--nil-read expects absent or any, got "${flags.nilRead}"${didYouMean(flags.nilRead, ['absent', 'any'])}`, 'absent: a nil read saw an empty register; any: its value is unknown (Knossos)');
}

/** Shrinking gets the same budget as checking (default one minute). */
function shrinkDeadline(flags: CheckFlags): number {
  return Date.now() + (flags.timeLimit === undefined ? 60_000 : positive(flags.timeLimit, '--time-limit') * 1000);
}

function describeShrunk(s: ShrunkHistory | undefined): string {
  if (s === undefined) return '';
  const how = s.minimal ? 'removing any one of them makes it valid' : 'the budget ran out before it was 1-minimal';
  return `\nSmallest failing history found: ${s.ops} of ${s.of} operations (${how}; ${s.checks} checks):\n${s.events.map((e) => `  ${serializeEvent(e).trimEnd()}`).join('\n')}\n`;
}

function parseInit(text: string): Json {
  try {
    return parseExactJson(text) as Json;
  } catch {
    return text;
  }
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} expects a positive number, got "${text}"`, `e.g. ${flag} 60`);
  return n;
}

function count(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} expects a whole number or "auto", got "${text}"`, `e.g. ${flag} 2`);
  return n;
}
