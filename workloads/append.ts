import { type ConsistencyModel, checkTransactions } from '../src/checker/txn/index.js';
import type { Key } from '../src/history/event.js';
import { pairHistory } from '../src/history/operation.js';
import { fn } from '../src/generator/basic.js';
import { clients } from '../src/generator/routing.js';
import { type GenContext, type OpRequest, generator } from '../src/generator/types.js';
import type { MicroOp } from '../src/runner/capabilities.js';
import { paced } from './register.js';
import { type Workload, need, toJson } from './workload.js';

/** Keys live at once; a key that has taken MAX_APPENDS_PER_KEY appends is retired for a fresh one. */
export const ACTIVE_KEYS = 5;
export const MAX_APPENDS_PER_KEY = 32;
export const MAX_TXN_LENGTH = 4;

/**
 * Transactions of 1–4 micro-ops: `append k v` (v unique per key: 1, 2, 3, …) or `r k`,
 * over a rotating pool of ACTIVE_KEYS keys; every key takes at most MAX_APPENDS_PER_KEY
 * appends, so lists stay short and the transactional checker's work stays bounded.
 */
export function appendTxns(ctx: GenContext, state: AppendKeys): OpRequest {
  const length = ctx.rng.int(1, MAX_TXN_LENGTH);
  const txn: MicroOp[] = [];
  for (let i = 0; i < length; i++) {
    const slot = ctx.rng.int(0, state.active.length - 1);
    const key = state.active[slot]!;
    if (ctx.rng.float() < 0.5) {
      txn.push(['r', key, null]);
      continue;
    }
    const value = (state.appended.get(key) ?? 0) + 1;
    state.appended.set(key, value);
    txn.push(['append', key, value]);
    if (value >= MAX_APPENDS_PER_KEY) {
      state.appended.delete(key);
      state.active[slot] = state.nextKey++;
    }
  }
  return { f: 'txn', value: txn.map((m) => [...m]) };
}

/** The key pool's state, shared by every process of one run. */
export interface AppendKeys {
  readonly active: Key[];
  readonly appended: Map<Key, number>;
  nextKey: number;
}

export function freshKeys(): AppendKeys {
  return { active: Array.from({ length: ACTIVE_KEYS }, (_, i) => i), appended: new Map(), nextKey: ACTIVE_KEYS };
}

export const appendWorkload: Workload = {
  name: 'append',
  summary: 'list-append transactions (append k v / r k), checked by the transactional checker against a consistency model',
  needs: ['txn'],

  generator: (o) =>
    clients(
      paced(
        o.opIntervalMs,
        generator(() => {
          const keys = freshKeys();
          return fn((ctx) => appendTxns(ctx, keys)).start();
        }),
      ),
    ),

  final: () => undefined,

  async invoke(caps, op, call) {
    if (op.f !== 'txn') throw new Error(`append workload: unknown operation "${op.f}"`);
    return { type: 'ok', value: (await need(caps, 'txn').run(op.value as unknown as MicroOp[], call)).map((m) => [...m]) };
  },

  async check(history, o) {
    const { ops } = pairHistory(history, 'history.jsonl');
    const result = checkTransactions(ops, {
      workload: 'list-append',
      consistency: o.consistency ?? 'strict-serializable',
      timeLimitMs: o.checkTimeLimitMs,
      file: 'history.jsonl',
    });
    return [{ checker: 'transactions', verdict: result.verdict, details: toJson(result) }];
  },
};
