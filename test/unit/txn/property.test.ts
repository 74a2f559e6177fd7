/**
 * Histories from a real serializable executor never show an anomaly; a read made to miss an
 * append that had completed before it began always does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { checkTransactions } from '../../../src/checker/txn/index.js';
import { type ExecutorOptions, seededRandom, serialHistory } from './serial-executor.js';

const options = (workload: ExecutorOptions['workload']) =>
  fc.record({
    workload: fc.constant(workload),
    txns: fc.integer({ min: 1, max: 60 }),
    processes: fc.integer({ min: 1, max: 6 }),
    activeKeys: fc.integer({ min: 1, max: 4 }),
    appendsPerKey: fc.integer({ min: 2, max: 12 }),
    minMops: fc.constant(1),
    maxMops: fc.integer({ min: 1, max: 5 }),
    readRatio: fc.double({ min: 0.2, max: 0.8, noNaN: true }),
    failRate: fc.double({ min: 0, max: 0.15, noNaN: true }),
    infoRate: fc.double({ min: 0, max: 0.15, noNaN: true }),
  });

function history(o: ExecutorOptions, seed: number): Operation[] {
  return pairHistory(serialHistory(o, seededRandom(seed))).ops;
}

type Mop = [string, number, Json];

/**
 * Makes one read miss the last element it saw, choosing a read whose writer of that element
 * completed before the reader was invoked: no serialization can then explain the read.
 */
function dropCompletedAppend(ops: Operation[]): Operation[] | undefined {
  const writerOf = new Map<string, Operation>();
  for (const op of ops) {
    if (op.type === 'fail' || !Array.isArray(op.input)) continue;
    for (const [f, k, v] of op.input as Mop[]) if (f === 'append') writerOf.set(`${k}/${String(v)}`, op);
  }
  for (const op of ops) {
    if (op.type !== 'ok') continue;
    const mops = op.output as Mop[];
    for (let j = 0; j < mops.length; j++) {
      const [f, k, v] = mops[j]!;
      if (f !== 'r' || !Array.isArray(v) || v.length === 0) continue;
      if (mops.slice(0, j).some(([g, kk]) => g === 'append' && kk === k)) continue;
      const w = writerOf.get(`${k}/${String(v[v.length - 1])}`);
      if (w === undefined || w === op || w.type !== 'ok' || !(w.ret < op.call)) continue;
      const output = mops.map((m, i): Mop => (i === j ? ['r', k, v.slice(0, -1)] : m));
      return ops.map((o) => (o === op ? { ...o, output: output as unknown as Json } : o));
    }
  }
  return undefined;
}

describe('serializable executor histories', () => {
  for (const workload of ['list-append', 'rw-register'] as const) {
    it(`${workload}: never an anomaly, under strict-serializable`, () => {
      fc.assert(
        fc.property(options(workload), fc.integer(), (o, seed) => {
          const r = checkTransactions(history(o, seed), { workload, consistency: 'strict-serializable' });
          assert.deepEqual(r.anomalyTypes, []);
          assert.equal(r.verdict, 'valid');
        }),
        { numRuns: 150 },
      );
    });
  }

  it('list-append: a read that misses a completed append is found', () => {
    let injected = 0;
    fc.assert(
      fc.property(options('list-append'), fc.integer(), (o, seed) => {
        const broken = dropCompletedAppend(history(o, seed));
        if (broken === undefined) return;
        injected++;
        const r = checkTransactions(broken, { workload: 'list-append', consistency: 'strict-serializable' });
        assert.equal(r.verdict, 'invalid', `nothing found in ${JSON.stringify(broken.map((x) => [x.process, x.type, x.output ?? x.input]))}`);
        assert.ok(r.anomalies.length > 0);
      }),
      { numRuns: 150 },
    );
    assert.ok(injected >= 20, `only ${injected} histories had a read to break`);
  });
});
