/**
 * The columnar history (src/checker/txn/columns.ts) against the object path it replaced:
 * the same edges, anomalies, explanations and committed-info evidence from the inference
 * on random histories (valid and invalid), the same result whether the history comes as
 * operations or streamed as events, and values past 2^53 kept exact.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EdgeStore } from '../../../src/checker/txn/graph.js';
import { Arena } from '../../../src/checker/txn/int-tables.js';
import { inferListAppend } from '../../../src/checker/txn/list-append.js';
import { TxnTable } from '../../../src/checker/txn/table.js';
import { AnomalyLog, type Inference, tableOf } from '../../../src/checker/txn/transactions.js';
import { ValueTable } from '../../../src/checker/txn/values.js';
import { TxnEventColumns, checkTransactionColumns, checkTransactions, columnsOfOperations, type TxnCheckResult } from '../../../src/checker/txn/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { inferListAppendObjects } from './object-list-append.js';
import { buildHistory, historySpec, showHistory } from './small-history.js';
import { BENCH_DEFAULTS, makeReadsStale, seededRandom, serialHistory } from './serial-executor.js';

interface Inferred {
  edges: string[];
  why: string[];
  counts: [string, number][];
  kept: string[];
  committedInfo: [number, string][];
}

function summary(log: AnomalyLog, inf: Inference): Inferred {
  const { edges } = inf;
  const list: string[] = [];
  const why: string[] = [];
  for (let e = 0; e < edges.length; e++) {
    list.push(`${edges.src[e]}→${edges.dst[e]}:${edges.kind[e]}`);
    why.push(inf.explainEdge(e).why);
  }
  return {
    edges: list,
    why,
    counts: [...log.counts],
    kept: log.kept.map((a) => `${a.type} ${JSON.stringify(a.txns)} ${String(a.key)} ${a.explanation}`),
    committedInfo: [...inf.committedInfo],
  };
}

function objectPath(ops: readonly Operation[]): Inferred {
  const log = new AnomalyLog(1000);
  const arena = new Arena(0);
  const inf = inferListAppendObjects(tableOf(ops, new Set(['append', 'r'])), log, arena, new EdgeStore(16, arena));
  return summary(log, inf);
}

function columnPath(ops: readonly Operation[]): Inferred {
  const log = new AnomalyLog(1000);
  const arena = new Arena(0);
  // Lean, as the checker makes it: each edge's reason is worked out again when explained (list-append-explain.ts).
  const inf = inferListAppend(new TxnTable(columnsOfOperations(ops, 'list-append')), log, arena, new EdgeStore(16, arena, false));
  return summary(log, inf);
}

/** A result without its timings, which differ run to run. */
function stable(r: TxnCheckResult): unknown {
  const { elapsedMs: _e, polygraph: _p, ...stats } = r.stats;
  return { ...r, stats };
}

describe('list-append in columns against the previous object path', () => {
  it('infers the same edges, anomalies and explanations on random histories, valid and invalid', () => {
    const verdicts = new Map<string, number>();
    fc.assert(
      fc.property(historySpec(8), (spec) => {
        const ops = buildHistory(spec, 'list-append');
        assert.deepEqual(columnPath(ops), objectPath(ops), showHistory(ops));
        const v = checkTransactions(ops, { workload: 'list-append', consistency: 'serializable' }).verdict;
        verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
      }),
      { numRuns: 1500, seed: 1313 },
    );
    // Both directions were exercised: histories the checker passes and histories it rejects.
    assert.ok((verdicts.get('valid') ?? 0) > 100 && (verdicts.get('invalid') ?? 0) > 100, JSON.stringify([...verdicts]));
  });

  it('agrees on generated histories of thousands of transactions, with stale reads', () => {
    for (const seed of [1, 2, 3]) {
      const { ops } = pairHistory(serialHistory({ ...BENCH_DEFAULTS, txns: 3000, activeKeys: 20 }, seededRandom(seed)));
      const stale = makeReadsStale(ops as unknown as { type: string; output: Json }[], 0.02, seededRandom(seed + 10));
      assert.ok(stale > 0);
      const now = columnPath(ops);
      assert.deepEqual(now, objectPath(ops));
      assert.ok(now.counts.length > 0, 'stale reads are anomalies');
    }
  });
});

describe('streaming events into columns', () => {
  it('gives the result of pairing the events into operations first, at every model', () => {
    const events = serialHistory({ ...BENCH_DEFAULTS, txns: 2000, activeKeys: 20 }, seededRandom(5));
    // An open invocation at the end (indeterminate) and a stale read.
    const last = events[events.length - 1]!;
    events.push({ index: events.length, time: last.time + 1, process: 999, type: 'invoke', f: 'txn', value: [['append', 0, 1_000_000]] });
    const { ops } = pairHistory(events);
    makeReadsStale(ops as unknown as { type: string; output: Json }[], 0.05, seededRandom(6));
    const staleEvents: HistoryEvent[] = events.map((e) => ({ ...e }));
    for (const op of ops) if (op.completeIndex >= 0 && op.type === 'ok') staleEvents[op.completeIndex]!.value = op.output;
    for (const consistency of ['serializable', 'strict-serializable', 'snapshot-isolation', 'read-committed'] as const) {
      const sink = new TxnEventColumns('list-append');
      for (const e of staleEvents) sink.add(e);
      const streamed = checkTransactionColumns(sink.finish(), { workload: 'list-append', consistency });
      const paired = checkTransactions(pairHistory(staleEvents).ops, { workload: 'list-append', consistency });
      assert.deepEqual(stable(streamed), stable(paired));
      assert.equal(streamed.verdict, consistency === 'read-committed' ? paired.verdict : 'invalid');
    }
  });

  it('refuses malformed events as pairHistory does', () => {
    const sink = new TxnEventColumns('list-append', 'h.jsonl');
    sink.add({ index: 0, time: 0, process: 1, type: 'invoke', f: 'txn', value: [] });
    assert.throws(() => sink.add({ index: 1, time: 1, process: 1, type: 'invoke', f: 'txn', value: [] }), /process 1 invokes again while its operation from event 0 is still open/);
    assert.throws(() => sink.add({ index: 2, time: 2, process: 2, type: 'ok', f: 'txn', value: [] }), /process 2 completes \(ok\) an operation it never invoked/);
    const bad = new TxnEventColumns('list-append');
    bad.add({ index: 0, time: 0, process: 1, type: 'invoke', f: 'txn', value: [['w', 1, 2]] });
    assert.throws(() => bad.add({ index: 1, time: 1, process: 1, type: 'fail', f: 'txn', value: null }), /micro-op 0 has unknown function "w"/);
  });
});

describe('values in columns', () => {
  it('keep integers past 2^53, strings and numbers apart, exactly', () => {
    const values = new ValueTable();
    const big = [2n ** 53n + 1n, 2n ** 53n + 2n, -(2n ** 70n)];
    const all: Json[] = [...big, 1, '1', 1.5, -3, 2 ** 31, null, [1, 2], { a: 1 }];
    const codes = all.map((v) => values.code(v));
    assert.equal(new Set(codes).size, all.length);
    assert.deepEqual(all.map((v) => values.code(v)), codes, 'the same value gets the same code');
    assert.deepEqual(values.jsonList(codes), all);
  });

  it('tell appends past 2^53 apart in the checker', () => {
    const a = 2n ** 53n + 1n;
    const b = 2n ** 53n + 2n;
    const op = (id: number, process: number, output: Json): Operation => ({ id, process, f: 'txn', type: 'ok', input: output, output, call: id * 10, ret: id * 10 + 5, invokeIndex: 2 * id, completeIndex: 2 * id + 1 });
    const ops = [op(0, 0, [['append', 'k', a]]), op(1, 1, [['append', 'k', b]]), op(2, 2, [['r', 'k', [a, b]]]), op(3, 3, [['r', 'k', [b]]])];
    const r = checkTransactions(ops, { workload: 'list-append', consistency: 'serializable' });
    assert.deepEqual(r.anomalyTypes, ['incompatible-order']);
    assert.match(r.anomalies[0]!.explanation, /\[9007199254740994\] \(T3\) is not a prefix of \[9007199254740993 9007199254740994\] \(T2\)/);
    assert.deepEqual(r.anomalies[0]!.txns[1]!.value, [['r', 'k', [a, b]]]);
  });
});
