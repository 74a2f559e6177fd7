import type { Json } from '../../history/event.js';
import { exactInteger, exactJsonText } from '../../history/exact-json.js';
import { describeFault, type FaultInterval, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { BANK_READ, BANK_TRANSFER } from './names.js';

const MAX_EXAMPLES = 10;

export interface StaleBankRead {
  /** History indices of the earlier read's completion and the later read's invocation. */
  readonly earlier: number;
  readonly later: number;
  readonly account: number;
  /** How the account changed from the earlier read to the later one (a bigint beyond 2^53). */
  readonly observed: number | bigint;
  /** What the transfers acknowledged between the two reads moved it by. */
  readonly acknowledged: number | bigint;
  /** Transfers that may or may not lie between the reads (concurrent or of unknown outcome). */
  readonly uncertain: number;
  readonly sentence: string;
}

export interface BankRealtimeResult {
  verdict: Verdict;
  explanation: string;
  /** Pairs of reads compared (the earlier finished before the later began). */
  pairs: number;
  staleReads: number;
  examples: StaleBankRead[];
}

interface Transfer {
  readonly op: Operation;
  readonly from: number;
  readonly to: number;
  /** Exact: amounts and balances may pass 2^53. */
  readonly amount: bigint;
}

/**
 * What the sums cannot show: a read that misses transfers acknowledged before it began —
 * a stale replica, or transfers a failover threw away (they keep the total, so every read
 * still sums right). Under strict serializability a read that begins after another ended
 * sees everything the first saw plus every transfer acknowledged in between, plus some of
 * the transfers concurrent with either read or of unknown outcome. Each read is compared
 * with the last read each process completed before it began. Per account, the change
 * between the two reads must therefore be the acknowledged transfers' change plus the sum
 * of some subset of the uncertain ones (failed transfers certainly did nothing). Checking
 * each account on its own is a relaxation: a correct history never fails it. Pure.
 */
export function checkBankRealtime(ops: readonly Operation[], accounts: number, faults: readonly FaultInterval[] = []): BankRealtimeResult {
  const transfers: Transfer[] = [];
  for (const op of ops) {
    if (op.f !== BANK_TRANSFER || op.type === 'fail') continue;
    const t = transferOf(op, accounts);
    if (t === undefined) return unknown(`the transfer invoked at history index ${op.invokeIndex} is not {from, to, amount} in whole numbers naming two of the ${accounts} accounts, so what it moved cannot be told`);
    transfers.push(t);
  }
  const reads = ops.filter((op) => op.f === BANK_READ && op.type === 'ok' && balances(op.output, accounts) !== undefined);
  // Each process's reads, by completion: reads on both sides of a failover come from different clients.
  const byProcess = new Map<number, Operation[]>();
  for (const r of [...reads].sort((a, b) => a.ret - b.ret)) {
    const list = byProcess.get(r.process);
    if (list === undefined) byProcess.set(r.process, [r]);
    else list.push(r);
  }
  const examples: StaleBankRead[] = [];
  let pairs = 0;
  let stale = 0;
  for (const later of reads) {
    const after = balances(later.output, accounts)!;
    let found: StaleBankRead | undefined;
    for (const list of byProcess.values()) {
      // The read this process completed last before `later` began.
      const end = lowerBound(list, later.call);
      if (end === 0) continue;
      const earlier = list[end - 1]!;
      pairs++;
      const compared = compare(earlier, balances(earlier.output, accounts)!, later, after, transfers, faults);
      if (compared === UNDECIDED) {
        return unknown(`between the reads at history indices ${earlier.completeIndex} and ${later.invokeIndex}, too many concurrent or unknown transfers of too varied amounts to tell which subset could have applied`);
      }
      found = compared;
      if (found !== undefined) break;
    }
    if (found === undefined) continue;
    stale++;
    if (examples.length < MAX_EXAMPLES) examples.push(found);
  }
  // No pair to compare adds nothing to the sums' verdict (which is unknown without reads).
  const verdict: Verdict = stale > 0 ? 'invalid' : 'valid';
  const explanation =
    verdict === 'valid'
      ? pairs === 0
        ? 'no read completed before another began, so there was no pair of reads to compare'
        : `in all ${pairs} pairs of reads in real-time order, the later read shows every transfer acknowledged between them.`
      : `${stale} of ${reads.length} reads miss transfers acknowledged before they began; the first: ${examples[0]!.sentence}`;
  return { verdict, explanation, pairs, staleReads: stale, examples };
}

const UNDECIDED = Symbol('undecided');

function compare(
  earlier: Operation,
  before: readonly bigint[],
  later: Operation,
  after: readonly bigint[],
  transfers: readonly Transfer[],
  faults: readonly FaultInterval[],
): StaleBankRead | undefined | typeof UNDECIDED {
  const acknowledged = new Array<bigint>(before.length).fill(0n);
  const uncertain: Transfer[] = [];
  for (const t of transfers) {
    const op = t.op;
    if (op.call > later.ret) continue; // begun after the later read: in neither.
    if (op.type === 'ok' && op.ret < earlier.call) continue; // done before the earlier read: in both.
    if (op.type === 'ok' && op.call > earlier.ret && op.ret < later.call) {
      acknowledged[t.from]! -= t.amount;
      acknowledged[t.to]! += t.amount;
    } else uncertain.push(t);
  }
  for (let a = 0; a < before.length; a++) {
    const observed = after[a]! - before[a]!;
    const deltas = uncertain.flatMap((t) => (t.from === a ? [-t.amount] : t.to === a ? [t.amount] : []));
    const can = reachable(deltas, observed - acknowledged[a]!);
    if (can === undefined) return UNDECIDED;
    if (can) continue;
    const from = later.node === undefined ? '' : ` from ${later.node}`;
    const active = faultsDuring(faults, earlier.call, later.ret);
    const during = active.length === 0 ? 'with no fault in effect' : `while ${active.map(describeFault).join(' and ')} was in effect`;
    return {
      earlier: earlier.completeIndex,
      later: later.invokeIndex,
      account: a,
      observed: exactInteger(observed),
      acknowledged: exactInteger(acknowledged[a]!),
      uncertain: deltas.length,
      sentence:
        `p${later.process} read ${show(after)}${from} at ${(later.ret / 1e9).toFixed(2)} s (history index ${later.completeIndex}), after p${earlier.process}'s read of ${show(before)} had completed (history index ${earlier.completeIndex}), ${during}: ` +
        `account ${a} moved by ${observed}, but the transfers acknowledged in between move it by ${acknowledged[a]} and no subset of the ${deltas.length} concurrent or unknown ones on it makes up the difference — acknowledged transfers are missing (a stale read, or transfers lost).`,
    };
  }
  return undefined;
}

/** Past this many bits the bitset of reachable sums is not built (2 MiB). */
const MAX_BITS = 2n ** 24n;
/** Past this many distinct partial sums the set of them is given up. */
const MAX_SUMS = 1 << 16;

/**
 * Whether some subset of `deltas` sums to `target`, exactly: a bitset of reachable sums (each
 * distinct delta added in doubling chunks) when their range is small, else the set of partial
 * sums while it stays small. `undefined` when neither fits (amounts beyond any bitset and
 * too many transfers to enumerate): the caller cannot decide, and says so.
 */
export function reachable(deltas: readonly bigint[], target: bigint): boolean | undefined {
  const negative = deltas.reduce((s, d) => s + (d < 0n ? -d : 0n), 0n);
  const positive = deltas.reduce((s, d) => s + (d > 0n ? d : 0n), 0n);
  if (target < -negative || target > positive) return false;
  const counts = new Map<bigint, number>();
  for (const d of deltas) if (d !== 0n) counts.set(d, (counts.get(d) ?? 0) + 1);
  if (negative + positive <= MAX_BITS) {
    let bits = 1n << negative;
    for (const [d, count] of counts) {
      let left = count;
      for (let chunk = 1; left > 0; chunk *= 2) {
        const k = Math.min(chunk, left);
        left -= k;
        const shift = (d < 0n ? -d : d) * BigInt(k);
        bits |= d > 0n ? bits << shift : bits >> shift;
      }
    }
    return ((bits >> (target + negative)) & 1n) === 1n;
  }
  let sums = new Set<bigint>([0n]);
  for (const d of deltas) {
    if (d === 0n) continue;
    const next = new Set(sums);
    for (const x of sums) next.add(x + d);
    if (next.size > MAX_SUMS) return undefined;
    sums = next;
  }
  return sums.has(target);
}

function transferOf(op: Operation, accounts: number): Transfer | undefined {
  const v = op.input;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { from, to, amount } = v as Record<string, Json>;
  const account = (x: Json | undefined): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x < accounts;
  const exact = whole(amount ?? null);
  if (!account(from) || !account(to) || exact === undefined) return undefined;
  return { op, from, to, amount: exact };
}

/** An integer exactly: a bigint beyond 2^53 stays one, a safe number becomes one; anything else is not whole. */
function whole(x: Json): bigint | undefined {
  if (typeof x === 'bigint') return x;
  return typeof x === 'number' && Number.isSafeInteger(x) ? BigInt(x) : undefined;
}

function balances(v: Json, accounts: number): bigint[] | undefined {
  if (!Array.isArray(v) || v.length !== accounts) return undefined;
  const exact = v.map(whole);
  return exact.every((b) => b !== undefined) ? (exact as bigint[]) : undefined;
}

/** Index of the first read completing at or after `time` (one process's reads, by completion). */
function lowerBound(byRet: readonly Operation[], time: number): number {
  let lo = 0;
  let hi = byRet.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byRet[mid]!.ret < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function unknown(explanation: string): BankRealtimeResult {
  return { verdict: 'unknown', explanation, pairs: 0, staleReads: 0, examples: [] };
}

function show(v: readonly bigint[]): string {
  return `[${v.map((x) => exactJsonText(exactInteger(x))).join(" ")}]`;
}
