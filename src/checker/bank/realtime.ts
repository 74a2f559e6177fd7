import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
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
  /** How the account changed from the earlier read to the later one. */
  readonly observed: number;
  /** What the transfers acknowledged between the two reads moved it by. */
  readonly acknowledged: number;
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
  readonly amount: number;
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
      found = compare(earlier, balances(earlier.output, accounts)!, later, after, transfers, faults);
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

function compare(earlier: Operation, before: readonly number[], later: Operation, after: readonly number[], transfers: readonly Transfer[], faults: readonly FaultInterval[]): StaleBankRead | undefined {
  const acknowledged = new Array<number>(before.length).fill(0);
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
    if (reachable(deltas, observed - acknowledged[a]!)) continue;
    const from = later.node === undefined ? '' : ` from ${later.node}`;
    const active = faultsDuring(faults, earlier.call, later.ret);
    const during = active.length === 0 ? 'with no fault in effect' : `while ${active.map(describeFault).join(' and ')} was in effect`;
    return {
      earlier: earlier.completeIndex,
      later: later.invokeIndex,
      account: a,
      observed,
      acknowledged: acknowledged[a]!,
      uncertain: deltas.length,
      sentence:
        `p${later.process} read ${show(after)}${from} at ${(later.ret / 1e9).toFixed(2)} s (history index ${later.completeIndex}), after p${earlier.process}'s read of ${show(before)} had completed (history index ${earlier.completeIndex}), ${during}: ` +
        `account ${a} moved by ${observed}, but the transfers acknowledged in between move it by ${acknowledged[a]} and no subset of the ${deltas.length} concurrent or unknown ones on it makes up the difference — acknowledged transfers are missing (a stale read, or transfers lost).`,
    };
  }
  return undefined;
}

/** Whether some subset of `deltas` sums to `target`: a bitset of reachable sums, each distinct delta added in doubling chunks. */
export function reachable(deltas: readonly number[], target: number): boolean {
  const negative = deltas.reduce((s, d) => s + (d < 0 ? -d : 0), 0);
  const positive = deltas.reduce((s, d) => s + (d > 0 ? d : 0), 0);
  if (target < -negative || target > positive) return false;
  const counts = new Map<number, number>();
  for (const d of deltas) if (d !== 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  let bits = 1n << BigInt(negative);
  for (const [d, count] of counts) {
    let left = count;
    for (let chunk = 1; left > 0; chunk *= 2) {
      const k = Math.min(chunk, left);
      left -= k;
      const shift = BigInt(Math.abs(d) * k);
      bits |= d > 0 ? bits << shift : bits >> shift;
    }
  }
  return ((bits >> BigInt(target + negative)) & 1n) === 1n;
}

function transferOf(op: Operation, accounts: number): Transfer | undefined {
  const v = op.input;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { from, to, amount } = v as Record<string, Json>;
  const whole = (x: Json | undefined): x is number => typeof x === 'number' && Number.isSafeInteger(x);
  if (!whole(from) || !whole(to) || !whole(amount) || from < 0 || to < 0 || from >= accounts || to >= accounts) return undefined;
  return { op, from, to, amount };
}

function balances(v: Json, accounts: number): number[] | undefined {
  if (!Array.isArray(v) || v.length !== accounts || !v.every((b) => typeof b === 'number' && Number.isSafeInteger(b))) return undefined;
  return v as number[];
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

function show(v: readonly number[]): string {
  return `[${v.map((x) => exactJsonText(x)).join(' ')}]`;
}
