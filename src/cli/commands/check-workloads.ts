import { CONSISTENCY_MODELS, isConsistencyModel } from '../../checker/txn/models.js';
import { worstVerdict } from '../../checker/verdict.js';
import { InputError, UsageError } from '../../errors.js';
import type { HistoryEvent, Json } from '../../history/event.js';
import { exactInteger } from '../../history/exact-json.js';
import { faultIntervals } from '../../history/faults.js';
import { type Operation, pairHistory } from '../../history/operation.js';
import { type CheckResult, toJson } from '../../../workloads/workload.js';

export interface WorkloadCheckFlags {
  accounts?: string;
  total?: string;
  linearizableSet?: boolean;
  /** With queue: the queue promises no order, so no FIFO check. */
  unordered?: boolean;
  /** The model the history's reads promised: the bank's real-time check runs only for strict-serializable (the default). */
  consistency?: string;
  /** The history's file name, for error messages about malformed input. */
  file?: string;
  /** --time-limit, for the checkers that search (register-watched's linearizability). */
  timeLimitMs?: number;
}

/** As `check --model`: a minute unless --time-limit says otherwise. */
const DEFAULT_TIME_LIMIT_MS = 60_000;

type OpsChecker = (ops: Operation[], events: readonly HistoryEvent[], flags: WorkloadCheckFlags) => CheckResult[] | Promise<CheckResult[]>;

/**
 * The checkers of faultline's non-transactional workloads, for stored histories (faultline's
 * own or Jepsen's): `check FILE --workload NAME`. Each takes the paired operations, and is
 * loaded when asked for: `check --model` must not pay for them.
 */
export const WORKLOAD_CHECKERS: ReadonlyMap<string, () => Promise<OpsChecker>> = new Map<string, () => Promise<OpsChecker>>([
  [
    'bank',
    async () => {
      const [{ BANK_READ, checkBank, checkBankRealtime }, { BANK_ACCOUNTS, BANK_TOTAL }] = await Promise.all([import('../../checker/bank/index.js'), import('../../systems/bank-size.js')]);
      return (ops, events, flags) => {
        const accounts = flags.accounts === undefined ? BANK_ACCOUNTS : whole(flags.accounts, '--accounts');
        const total = flags.total === undefined ? BANK_TOTAL : exactWhole(flags.total, '--total');
        const balances = ops.map((o) => (o.f === BANK_READ ? { ...o, output: balancesOf(o.output) } : o));
        const faults = faultIntervals(events);
        const sums = result('bank', checkBank(balances, { accounts, total }, faults));
        const consistency = flags.consistency ?? 'strict-serializable';
        if (!isConsistencyModel(consistency)) throw new UsageError(`unknown consistency model "${consistency}"`, `models: ${CONSISTENCY_MODELS.join(', ')}`);
        if (consistency !== 'strict-serializable') return [sums];
        return [sums, result('bank-realtime', checkBankRealtime(balances, accounts, faults))];
      };
    },
  ],
  [
    'queue',
    async () => {
      const { checkFifo, checkQueue, isStreamHistory } = await import('../../checker/queue/index.js');
      return (ops, events, flags) => {
        const total = result('queue', checkQueue(ops, flags.file));
        // A stream queue (at-least-once, redeliveries) has its own order rule, on entry ids.
        if (flags.unordered === true || isStreamHistory(ops)) return [total];
        return [total, result('queue-fifo', checkFifo(ops, faultIntervals(events)))];
      };
    },
  ],
  [
    'stream-queue',
    async () => {
      const { checkStreamQueue } = await import('../../checker/queue/index.js');
      return (ops) => [result('stream-queue', checkStreamQueue(ops))];
    },
  ],
  [
    'counter',
    async () => {
      const { checkCounter } = await import('../../checker/counter/index.js');
      return (ops, _events, flags) => [result('counter', checkCounter(ops, flags.file))];
    },
  ],
  [
    'long-fork',
    async () => {
      const { checkLongFork } = await import('../../checker/long-fork/index.js');
      return (ops, _events, flags) => {
        requireTransactions(ops, flags.file ?? 'history', 'long-fork');
        return [result('long-fork', checkLongFork(ops, flags.file === undefined ? {} : { file: flags.file }))];
      };
    },
  ],
  [
    'comments',
    async () => {
      const { checkComments } = await import('../../checker/comments/index.js');
      return (ops, events, flags) => [result('comments', checkComments(ops, { faults: faultIntervals(events), ...(flags.file === undefined ? {} : { file: flags.file }) }))];
    },
  ],
  [
    'sequential',
    async () => {
      const { checkSequential } = await import('../../checker/sequential/index.js');
      return (ops, events, flags) => [result('sequential', checkSequential(ops, { faults: faultIntervals(events), ...(flags.file === undefined ? {} : { file: flags.file }) }))];
    },
  ],
  [
    'set-full',
    async () => {
      const { checkSetFull } = await import('../../checker/set/index.js');
      return (ops, events, flags) => [result('set-full', checkSetFull(ops, { linearizable: flags.linearizableSet === true, faults: faultIntervals(events), ...(flags.file === undefined ? {} : { file: flags.file }) }))];
    },
  ],
  [
    'watch',
    async () => {
      const { checkWatch } = await import('../../checker/watch/index.js');
      return (_ops, events, flags) => [result('watch', checkWatch(events, flags.file))];
    },
  ],
  [
    'register-watched',
    async () => {
      const { checkRegisterWatched } = await import('../../../workloads/register-watched.js');
      return (_ops, events, flags) => checkRegisterWatched(events, flags.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS, flags.file);
    },
  ],
  [
    'election',
    async () => {
      const { electionResults } = await import('../../../workloads/election.js');
      return (_ops, events, flags) => electionResults(events, flags.file);
    },
  ],
  [
    'set',
    async () => {
      const { SET_FINAL_READ, SET_READ, checkSetFinal, checkSetReads } = await import('../../checker/set/index.js');
      return (ops, _events, flags) => {
        // Jepsen's set histories end with a plain read: the last ok one is the final read.
        const final = ops.some((o) => o.f === SET_FINAL_READ) ? ops : lastReadAsFinal(ops, SET_READ, SET_FINAL_READ);
        return [result('set', checkSetFinal(final, flags.file)), result('set-reads', checkSetReads(final, flags.file))];
      };
    },
  ],
]);

function result(checker: string, r: { verdict: CheckResult['verdict'] }): CheckResult {
  return { checker, verdict: r.verdict, details: toJson(r) };
}

export async function checkWorkloadHistory(
  name: string,
  events: readonly HistoryEvent[],
  file: string,
  flags: WorkloadCheckFlags,
): Promise<{ verdict: CheckResult['verdict']; checkers: CheckResult[] }> {
  const checker = await WORKLOAD_CHECKERS.get(name)!();
  const checkers = await checker(pairHistory(events, file).ops, events, { ...flags, file });
  return { verdict: worstVerdict(checkers.map((c) => c.verdict)), checkers };
}

/** Jepsen's bank reads return a map of account → balance: as a vector in account order. */
function balancesOf(v: Json): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.keys(v)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => v[k]!);
}

function lastReadAsFinal(ops: Operation[], read: string, final: string): Operation[] {
  const last = ops.findLastIndex((o) => o.f === read && o.type === 'ok');
  return last < 0 ? ops : ops.map((o, i) => (i === last ? { ...o, f: final } : o));
}

function whole(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} expects a whole number, got "${text}"`, `e.g. ${flag} 5`);
  return n;
}

/** A whole number of any size (a bank's total may pass 2^53): a bigint when a double cannot hold it exactly. */
function exactWhole(text: string, flag: string): number | bigint {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} expects a whole number, got "${text}"`, `e.g. ${flag} 50`);
  return exactInteger(BigInt(text.trim()));
}

/**
 * A transactional check of a history that holds no transaction would be "valid" about nothing:
 * the file is not the kind the checker reads (a register history given to list-append, say).
 */
export function requireTransactions(ops: readonly { readonly f: string }[], file: string, workload: string): void {
  if (ops.some((o) => o.f === 'txn')) return;
  const fs = [...new Set(ops.map((o) => o.f))];
  const seen = fs.length === 0 ? '' : `; its operations are ${fs.slice(0, 5).join(', ')}${fs.length > 5 ? ', ...' : ''}`;
  throw new InputError(file, undefined, `no transaction (an operation with f txn) to check as ${workload}${seen}`, 'pick the --workload or --model that matches the history');
}
