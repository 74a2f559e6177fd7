/** Small hand-made transactional histories for tests. */
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { type ConsistencyModel, type TxnCheckResult, checkTransactions } from '../../../src/checker/txn/index.js';

export type Mop = [string, number | string, Json];
export interface Txn {
  process: number;
  /** Micro-ops as completed (reads with their results). */
  mops: Mop[];
  type?: 'ok' | 'fail' | 'info';
}

/** A transaction on `process`, completed `ok` unless said otherwise. */
export const txn = (process: number, mops: Mop[], type: Txn['type'] = 'ok'): Txn => ({ process, mops, type });

const invoked = (mops: Mop[]): Mop[] => mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);

/** Each transaction completes before the next is invoked (as in Elle's JSON histories). */
export function sequential(...txns: Txn[]): Operation[] {
  const events: Omit<HistoryEvent, 'index' | 'time'>[] = [];
  for (const t of txns) {
    events.push({ process: t.process, type: 'invoke', f: 'txn', value: invoked(t.mops) });
    events.push({ process: t.process, type: t.type ?? 'ok', f: 'txn', value: t.type === 'ok' || t.type === undefined ? t.mops : invoked(t.mops) });
  }
  return pair(events);
}

/** All transactions are invoked, then all complete: no real-time order among them. */
export function concurrent(...txns: Txn[]): Operation[] {
  const events: Omit<HistoryEvent, 'index' | 'time'>[] = [];
  for (const t of txns) events.push({ process: t.process, type: 'invoke', f: 'txn', value: invoked(t.mops) });
  for (const t of txns) {
    events.push({ process: t.process, type: t.type ?? 'ok', f: 'txn', value: (t.type ?? 'ok') === 'ok' ? t.mops : invoked(t.mops) });
  }
  return pair(events);
}

function pair(events: Omit<HistoryEvent, 'index' | 'time'>[]): Operation[] {
  return pairHistory(events.map((e, index) => ({ ...e, index, time: index }) as HistoryEvent)).ops;
}

export function check(
  ops: Operation[],
  consistency: ConsistencyModel,
  workload: 'list-append' | 'rw-register' = 'list-append',
  extra: { linearizableKeys?: boolean; sequentialKeys?: boolean; wfrKeys?: boolean; versionSearch?: boolean } = {},
): TxnCheckResult {
  return checkTransactions(ops, { workload, consistency, ...extra });
}
