import { BANK_READ, BANK_TRANSFER, checkBank, checkBankRealtime } from '../src/checker/bank/index.js';
import { faultIntervals } from '../src/history/faults.js';
import { pairHistory } from '../src/history/operation.js';
import { fn } from '../src/generator/basic.js';
import { clients } from '../src/generator/routing.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import { BANK_ACCOUNTS, BANK_TOTAL } from '../src/systems/bank.js';
import { paced } from './register.js';
import { untilOk } from './until-ok.js';
import { type Workload, need, toJson } from './workload.js';

export const BANK_READ_SHARE = 0.3;
export const MAX_AMOUNT = 5;

/** A transfer between two distinct accounts, or a read of all of them. */
export function bankOp(ctx: GenContext): OpRequest {
  if (ctx.rng.float() < BANK_READ_SHARE) return { f: BANK_READ, value: null };
  const from = ctx.rng.int(0, BANK_ACCOUNTS - 1);
  const to = (from + ctx.rng.int(1, BANK_ACCOUNTS - 1)) % BANK_ACCOUNTS;
  return { f: BANK_TRANSFER, value: { from, to, amount: ctx.rng.int(1, MAX_AMOUNT) } };
}

/**
 * Jepsen's bank: transfers between accounts through each system's own transaction (etcd
 * Txn on mod revisions, ZooKeeper multi on versions, Consul txn on modify indexes, a Redis
 * script), and reads of every account in one transaction, then a final read after the
 * faults heal. Every read must sum to the bank's total with no negative balance; where the
 * read mode promises strict serializability, every read must also show the transfers
 * acknowledged before it began (src/checker/bank/realtime.ts).
 */
export const bankWorkload: Workload = {
  name: 'bank',
  summary: 'transfers between accounts and reads of all of them; every read must sum to the total, none negative',
  needs: ['bank'],

  generator: (o) => clients(paced(o.opIntervalMs, fn(bankOp))),

  final: () => untilOk({ f: BANK_READ, value: null }),

  async invoke(caps, op, call) {
    const bank = need(caps, 'bank');
    switch (op.f) {
      case BANK_TRANSFER: {
        const { from, to, amount } = op.value as { from: number; to: number; amount: number };
        await bank.transfer(from, to, amount, call);
        return { type: 'ok', value: op.value };
      }
      case BANK_READ:
        return { type: 'ok', value: await bank.read(call) };
      default:
        throw new Error(`bank workload: unknown operation "${op.f}"`);
    }
  },

  async check(history, o) {
    const { ops } = pairHistory(history, 'history.jsonl');
    const faults = faultIntervals(history);
    const result = checkBank(ops, { accounts: BANK_ACCOUNTS, total: BANK_TOTAL }, faults);
    const checked = [{ checker: 'bank', verdict: result.verdict, details: toJson(result) }];
    // Reads that miss acknowledged transfers break only a promise of real-time order: not
    // asked of read modes documented as possibly stale (Consul's default, etcd serializable).
    if ((o.consistency ?? 'strict-serializable') !== 'strict-serializable') return checked;
    const realtime = checkBankRealtime(ops, BANK_ACCOUNTS, faults);
    return [...checked, { checker: 'bank-realtime', verdict: realtime.verdict, details: toJson(realtime) }];
  },
};
