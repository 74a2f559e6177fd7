import type { Json } from '../../history/event.js';
import { exactInteger, exactJsonText } from '../../history/exact-json.js';
import { describeFault, type FaultInterval, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { BANK_READ, BANK_TRANSFER } from './names.js';

export { BANK_READ, BANK_TRANSFER } from './names.js';

export interface BankCheckOptions {
  readonly accounts: number;
  /** What every read must sum to: a bigint beyond 2^53, compared exactly as balances are summed. */
  readonly total: number | bigint;
  /** Whether a balance may go below zero (no bank here allows it). Default false. */
  readonly negativeAllowed?: boolean;
}

export type BankProblem = 'wrong-total' | 'negative' | 'wrong-accounts' | 'not-a-number';

export interface BadBankRead {
  readonly problem: BankProblem;
  readonly process: number;
  readonly node?: string;
  /** History index of the read's completion. */
  readonly index: number;
  readonly balances: Json;
  readonly total?: number | bigint;
  /** The sentence a person can check against the history. */
  readonly sentence: string;
}

export interface BankResult {
  verdict: Verdict;
  explanation: string;
  reads: number;
  badReads: number;
  /** Each kind of problem, counted. */
  problems: Partial<Record<BankProblem, number>>;
  /** The first bad reads, in history order. */
  examples: BadBankRead[];
  transfers: { attempted: number; ok: number; failed: number; indeterminate: number };
}

const MAX_EXAMPLES = 10;

export { type BankRealtimeResult, type StaleBankRead, checkBankRealtime } from './realtime.js';

/**
 * Jepsen's bank check (the classic two-phase-commit test): money moves only by transfers
 * between accounts, so every read of all accounts, taken in one transaction, sums to the
 * same total, and no balance goes negative. Transfers' own outcomes do not matter — a
 * transfer that happened and one that did not both keep the total — which is what makes
 * the check sound with `info` transfers. Pure.
 */
export function checkBank(ops: readonly Operation[], o: BankCheckOptions, faults: readonly FaultInterval[] = []): BankResult {
  const reads = ops.filter((op) => op.f === BANK_READ && op.type === 'ok');
  const problems: Partial<Record<BankProblem, number>> = {};
  const examples: BadBankRead[] = [];
  for (const r of reads) {
    const bad = judge(r, o);
    if (bad === undefined) continue;
    problems[bad.problem] = (problems[bad.problem] ?? 0) + 1;
    if (examples.length < MAX_EXAMPLES) examples.push({ ...bad, sentence: sentence(r, bad, o, faults) });
  }
  const badReads = Object.values(problems).reduce((a, b) => a + b, 0);
  const transfers = ops.filter((op) => op.f === BANK_TRANSFER);
  const count = (t: Operation['type']): number => transfers.filter((x) => x.type === t).length;
  const verdict: Verdict = badReads > 0 ? 'invalid' : reads.length === 0 ? 'unknown' : 'valid';
  const explanation =
    verdict === 'valid'
      ? `all ${reads.length} reads of the ${o.accounts} accounts sum to ${o.total} with no negative balance, across ${transfers.length} transfers.`
      : verdict === 'unknown'
        ? 'no read of the accounts completed, so nothing can be checked'
        : `${badReads} of ${reads.length} reads are wrong; the first: ${examples[0]!.sentence}`;
  return {
    verdict,
    explanation,
    reads: reads.length,
    badReads,
    problems,
    examples,
    transfers: { attempted: transfers.length, ok: count('ok'), failed: count('fail'), indeterminate: count('info') },
  };
}

type Judged = Omit<BadBankRead, 'sentence'>;

function judge(r: Operation, o: BankCheckOptions): Judged | undefined {
  const at = { process: r.process, index: r.completeIndex, balances: r.output, ...(r.node === undefined ? {} : { node: r.node }) };
  if (!Array.isArray(r.output) || r.output.length !== o.accounts) return { ...at, problem: 'wrong-accounts' };
  let sum = 0n;
  let negative = false;
  for (const b of r.output) {
    if (typeof b === 'bigint') sum += b;
    else if (typeof b === 'number' && Number.isSafeInteger(b)) sum += BigInt(b);
    else return { ...at, problem: 'not-a-number' };
    if (b < 0) negative = true;
  }
  const total = exactInteger(sum);
  if (sum !== BigInt(o.total)) return { ...at, problem: 'wrong-total', total };
  if (negative && o.negativeAllowed !== true) return { ...at, problem: 'negative', total };
  return undefined;
}

function sentence(r: Operation, bad: Judged, o: BankCheckOptions, faults: readonly FaultInterval[]): string {
  const from = r.node === undefined ? '' : ` from ${r.node}`;
  const what = `p${r.process} read balances ${show(r.output)}${from} at ${(r.ret / 1e9).toFixed(2)} s (history index ${r.completeIndex})`;
  const active = faultsDuring(faults, r.call, r.ret);
  const during = active.length === 0 ? 'with no fault in effect' : `while ${active.map(describeFault).join(' and ')} was in effect`;
  const why: Record<BankProblem, string> = {
    'wrong-total': `they sum to ${String(bad.total)}, not ${o.total}: money was ${BigInt(bad.total ?? 0) > BigInt(o.total) ? 'created' : 'destroyed'} (a transfer applied in part, or a read that saw half of one)`,
    negative: 'an account is below zero, which every transfer refuses',
    'wrong-accounts': `not one balance for each of the ${o.accounts} accounts`,
    'not-a-number': 'a balance is not an integer',
  };
  return `${what} ${during}: ${why[bad.problem]}.`;
}

function show(v: Json): string {
  return Array.isArray(v) ? `[${v.map((x) => exactJsonText(x)).join(' ')}]` : exactJsonText(v);
}
