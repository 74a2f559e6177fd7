import { BANK_READ, checkBank } from '../../checker/bank/index.js';
import { checkCounter } from '../../checker/counter/index.js';
import { checkQueue } from '../../checker/queue/index.js';
import { SET_FINAL_READ, SET_READ, checkSetFinal, checkSetReads } from '../../checker/set/index.js';
import { worstVerdict } from '../../checker/verdict.js';
import { UsageError } from '../../errors.js';
import type { HistoryEvent, Json } from '../../history/event.js';
import { faultIntervals } from '../../history/faults.js';
import { type Operation, pairHistory } from '../../history/operation.js';
import { BANK_ACCOUNTS, BANK_TOTAL } from '../../systems/bank.js';
import { type CheckResult, toJson } from '../../../workloads/workload.js';
import { electionResults } from '../../../workloads/election.js';

export interface WorkloadCheckFlags {
  accounts?: string;
  total?: string;
}

type OpsChecker = (ops: Operation[], events: readonly HistoryEvent[], flags: WorkloadCheckFlags) => CheckResult[];

const result = (checker: string, r: { verdict: CheckResult['verdict'] }): CheckResult => ({ checker, verdict: r.verdict, details: toJson(r) });

/**
 * The checkers of faultline's non-transactional workloads, for stored histories (faultline's
 * own or Jepsen's): `check FILE --workload NAME`. Each takes the paired operations.
 */
export const WORKLOAD_CHECKERS: ReadonlyMap<string, OpsChecker> = new Map<string, OpsChecker>([
  [
    'bank',
    (ops, events, flags) => {
      const accounts = flags.accounts === undefined ? BANK_ACCOUNTS : whole(flags.accounts, '--accounts');
      const total = flags.total === undefined ? BANK_TOTAL : whole(flags.total, '--total');
      const balances = ops.map((o) => (o.f === BANK_READ ? { ...o, output: balancesOf(o.output) } : o));
      return [result('bank', checkBank(balances, { accounts, total }, faultIntervals(events)))];
    },
  ],
  ['queue', (ops) => [result('queue', checkQueue(ops))]],
  ['election', (_ops, events) => electionResults(events)],
  ['counter', (ops) => [result('counter', checkCounter(ops))]],
  [
    'set',
    (ops) => {
      // Jepsen's set histories end with a plain read: the last ok one is the final read.
      const final = ops.some((o) => o.f === SET_FINAL_READ) ? ops : lastReadAsFinal(ops);
      return [result('set', checkSetFinal(final)), result('set-reads', checkSetReads(final))];
    },
  ],
]);

export function checkWorkloadHistory(name: string, events: readonly HistoryEvent[], file: string, flags: WorkloadCheckFlags): { verdict: CheckResult['verdict']; checkers: CheckResult[] } {
  const checker = WORKLOAD_CHECKERS.get(name)!;
  const checkers = checker(pairHistory(events, file).ops, events, flags);
  return { verdict: worstVerdict(checkers.map((c) => c.verdict)), checkers };
}

/** Jepsen's bank reads return a map of account → balance: as a vector in account order. */
function balancesOf(v: Json): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.keys(v)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => v[k]!);
}

function lastReadAsFinal(ops: Operation[]): Operation[] {
  const last = ops.findLastIndex((o) => o.f === SET_READ && o.type === 'ok');
  return last < 0 ? ops : ops.map((o, i) => (i === last ? { ...o, f: SET_FINAL_READ } : o));
}

function whole(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} expects a whole number, got "${text}"`, `e.g. ${flag} 5`);
  return n;
}
