import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';
import { checkTransactions } from '../../../src/checker/txn/index.js';
import { HOSTILE } from './invalid-run.js';

/**
 * Two list-append transactions that each append to x and to the hostile key, then reads
 * that see the appends in opposite orders: a write cycle (G0) the real checker finds.
 */
export function writeCycleHistory(): HistoryEvent[] {
  const txn = (process: number, call: number, ret: number, value: Json, out: Json = value): Omit<HistoryEvent, 'index'>[] => [
    { time: call, process, type: 'invoke', f: 'txn', value },
    { time: ret, process, type: 'ok', f: 'txn', value: out },
  ];
  const events = [
    ...txn(0, 0, 10, [['append', 'x', 1], ['append', HOSTILE, 1]]),
    ...txn(1, 1, 11, [['append', 'x', 2], ['append', HOSTILE, 2]]),
    ...txn(2, 20, 30, [['r', 'x', null], ['r', HOSTILE, null]], [['r', 'x', [1, 2]], ['r', HOSTILE, [2, 1]]]),
  ];
  return events.sort((a, b) => a.time - b.time).map((e, index) => ({ ...e, index }) as HistoryEvent);
}

/** results.json for that history, as a run would write it. */
export function txnResults(events: readonly HistoryEvent[]): Json {
  const result = checkTransactions(pairHistory(events).ops, { workload: 'list-append', consistency: 'serializable' });
  return JSON.parse(JSON.stringify({ name: 'txn', verdict: result.verdict, checkers: [{ checker: 'elle', verdict: result.verdict, details: result }] })) as Json;
}
