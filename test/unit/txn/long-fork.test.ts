/**
 * The long-fork checker: examples, then property tests against the brute-force oracle. On
 * histories of Jepsen's long-fork shape (single-write or single-append transactions, and
 * read-only transactions of one group of keys) a long fork is exactly what makes a history
 * unserializable, so the verdicts must agree both ways; on any random history, a fork found
 * is never a false alarm; a real serializable execution never has one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { type LongForkResult, checkLongFork } from '../../../src/checker/long-fork/index.js';
import { InputError } from '../../../src/errors.js';
import { type Mop, type Txn, concurrent, sequential, txn } from './build.js';
import { explainable } from './oracle.js';
import { type HistorySpec, buildHistory, historySpec, showHistory } from './small-history.js';
import { seededRandom, serialHistory } from './serial-executor.js';

const RUNS = Number(process.env.FAULTLINE_ORACLE_RUNS ?? 10000) / 2;

describe('long fork: examples', () => {
  it('Jepsen\'s: two reads see two inserts in opposite orders', () => {
    const ops = concurrent(txn(0, [['w', 'x', 1]]), txn(1, [['w', 'y', 1]]), txn(2, [['r', 'x', 1], ['r', 'y', null]]), txn(3, [['r', 'y', 1], ['r', 'x', null]]));
    const r = checkLongFork(ops);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.forks, 1);
    assert.equal(
      r.explanation,
      'T2 read x = 1 and y = nil, T3 read x = nil and y = 1: T2 saw T0\'s write of x = 1 but not T1\'s write of y = 1, T3 the reverse, so they saw the two writes in opposite orders (long fork)',
    );
    assert.deepEqual(r.anomalies[0]!.keys, ['x', 'y']);
    // One read seeing both is no fork.
    const fine = concurrent(txn(0, [['w', 'x', 1]]), txn(1, [['w', 'y', 1]]), txn(2, [['r', 'x', 1], ['r', 'y', null]]), txn(3, [['r', 'y', 1], ['r', 'x', 1]]));
    assert.equal(checkLongFork(fine).verdict, 'valid');
  });

  it('list-append: reads that are prefixes of one order, in opposite orders per key', () => {
    const ops = concurrent(
      txn(0, [['append', 'x', 1]]),
      txn(1, [['append', 'x', 2]]),
      txn(2, [['append', 'y', 1]]),
      txn(3, [['r', 'x', [1, 2]], ['r', 'y', []]]),
      txn(4, [['r', 'x', [1]], ['r', 'y', [1]]]),
    );
    const r = checkLongFork(ops);
    assert.equal(r.workload, 'list-append');
    assert.equal(r.verdict, 'invalid');
    assert.match(r.explanation, /^T3 read x = \[1 2\] and y = \[\], T4 read x = \[1\] and y = \[1\]: T3 saw T1's append of 2 to x but not T2's append of 1 to y, T4 the reverse/);
  });

  it('names a fractured read when one transaction wrote both keys', () => {
    const ops = concurrent(txn(0, [['w', 'x', 1], ['w', 'y', 1]]), txn(1, [['r', 'x', 1], ['r', 'y', null]]), txn(2, [['r', 'x', null], ['r', 'y', 1]]));
    assert.match(checkLongFork(ops).explanation, /T1 saw T0's write of x = 1 but not its write of y = 1 \(a fractured read\)/);
  });

  it('is unknown, not valid, where register reads of a key show two values', () => {
    const ops = sequential(txn(0, [['w', 'x', 1]]), txn(1, [['w', 'x', 2]]), txn(2, [['r', 'x', 1], ['r', 'y', null]]), txn(3, [['r', 'x', 2], ['r', 'y', null]]));
    const r = checkLongFork(ops);
    assert.equal(r.verdict, 'unknown');
    assert.deepEqual(r.unorderedKeys, ['x']);
    assert.match(r.reason!, /show two different values/);
  });

  it('refuses register writes and list appends in one history', () => {
    assert.throws(() => checkLongFork(concurrent(txn(0, [['w', 'x', 1]]), txn(1, [['append', 'y', 1]]))), InputError);
  });
});

interface WriteSpec {
  key: number;
  outcome: 'ok' | 'info' | 'fail';
  applied: boolean;
}
interface ReadSpec {
  consistent: boolean;
  prefix: number;
  levels: number[];
  shuffle: number[];
}
interface ForkSpec {
  keys: number;
  writes: WriteSpec[];
  reads: ReadSpec[];
}

const forkSpec: fc.Arbitrary<ForkSpec> = fc.record({
  keys: fc.integer({ min: 2, max: 3 }),
  writes: fc.array(
    fc.record({
      key: fc.nat({ max: 2 }),
      outcome: fc.oneof({ arbitrary: fc.constant('ok' as const), weight: 3 }, fc.constant('info' as const), fc.constant('fail' as const)),
      applied: fc.boolean(),
    }),
    { minLength: 2, maxLength: 5 },
  ),
  // Two reads or more: one read alone cannot fork.
  reads: fc.array(
    fc.record({
      consistent: fc.nat({ max: 3 }).map((n) => n === 0),
      prefix: fc.nat({ max: 4 }),
      levels: fc.array(fc.nat({ max: 3 }), { minLength: 3, maxLength: 3 }),
      shuffle: fc.array(fc.nat({ max: 9 }), { minLength: 3, maxLength: 3 }),
    }),
    { minLength: 2, maxLength: 4 },
  ),
});

/**
 * Jepsen's shape: each write its own transaction (for registers, one per key), in array order;
 * reads of every key, each either a prefix of that order or per key a prefix of the key's own
 * writes (which may fork). A write not applied is never seen.
 */
function forkHistory(spec: ForkSpec, workload: 'rw-register' | 'list-append'): Operation[] {
  const written = new Set<number>();
  const writes: { key: number; value: number; spec: WriteSpec }[] = [];
  for (const w of spec.writes) {
    const key = w.key % spec.keys;
    if (workload === 'rw-register' && written.has(key)) continue;
    written.add(key);
    writes.push({ key, value: writes.filter((x) => x.key === key).length + 1, spec: w });
  }
  const applied = writes.filter((w) => w.spec.outcome === 'ok' || (w.spec.outcome === 'info' && w.spec.applied));
  const txns: Txn[] = writes.map((w, i) => txn(i, [[workload === 'rw-register' ? 'w' : 'append', w.key, w.value]], w.spec.outcome));
  spec.reads.forEach((r, i) => {
    const seen = r.consistent
      ? applied.slice(0, r.prefix % (applied.length + 1))
      : applied.filter((w) => {
          const mine = applied.filter((x) => x.key === w.key);
          return mine.indexOf(w) < r.levels[w.key]! % (mine.length + 1);
        });
    const keys = Array.from({ length: spec.keys }, (_, k) => k).sort((a, b) => r.shuffle[a]! - r.shuffle[b]! || a - b);
    const mops = keys.map((k): Mop => {
      const values = seen.filter((w) => w.key === k).map((w) => w.value);
      return ['r', k, workload === 'rw-register' ? (values.at(-1) ?? null) : (values as Json[])];
    });
    txns.push(txn(writes.length + i, mops));
  });
  return concurrent(...txns);
}

/** Every other transaction made a read of all three keys (each bent as one of its micro-ops says), so reads can fork. */
function withGroupReads(spec: HistorySpec): HistorySpec {
  return {
    ...spec,
    txns: spec.txns.map((t, i) => (i % 2 === 0 ? t : { ...t, mops: [0, 1, 2].map((key) => ({ ...t.mops[key % t.mops.length]!, write: false, key })) })),
  };
}

const failure = (ops: Operation[], r: LongForkResult, oracle: boolean): string =>
  `long-fork: ${r.verdict} (${r.explanation}), oracle: ${oracle ? 'explainable' : 'not explainable'}\n${showHistory(ops)}`;

describe('long fork against the oracle', () => {
  for (const workload of ['rw-register', 'list-append'] as const) {
    it(`${workload}: on Jepsen's long-fork histories, invalid exactly when no serial order explains the reads`, () => {
      const tally = { valid: 0, invalid: 0 };
      fc.assert(
        fc.property(forkSpec, (spec) => {
          const ops = forkHistory(spec, workload);
          const r = checkLongFork(ops);
          const oracle = explainable(ops, workload, 'none');
          assert.notEqual(r.verdict, 'unknown', failure(ops, r, oracle));
          assert.equal(r.verdict === 'valid', oracle, failure(ops, r, oracle));
          tally[r.verdict === 'valid' ? 'valid' : 'invalid']++;
        }),
        { numRuns: RUNS },
      );
      assert.ok(tally.valid > RUNS / 10 && tally.invalid > RUNS / 10, JSON.stringify(tally));
    });

    it(`${workload}: on any random history, a fork found is never a false alarm`, () => {
      let invalid = 0;
      fc.assert(
        fc.property(historySpec(), (spec) => {
          const ops = buildHistory(withGroupReads(spec), workload);
          const r = checkLongFork(ops);
          if (r.verdict !== 'invalid') return;
          invalid++;
          assert.equal(explainable(ops, workload, 'none'), false, failure(ops, r, true));
        }),
        { numRuns: RUNS },
      );
      assert.ok(invalid > RUNS / 200, `only ${invalid} forks found`);
    });

    it(`${workload}: a serializable execution has no long fork`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (txns, activeKeys, seed) => {
          const o = { workload, txns, processes: 5, activeKeys, appendsPerKey: 6, minMops: 1, maxMops: 4, readRatio: 0.7, failRate: 0.05, infoRate: 0.05 };
          const r = checkLongFork(pairHistory(serialHistory(o, seededRandom(seed))).ops);
          assert.notEqual(r.verdict, 'invalid', r.explanation);
          // Lists say their own order: nothing is left unordered.
          if (workload === 'list-append') assert.equal(r.verdict, 'valid');
        }),
        { numRuns: 200 },
      );
    });
  }
});
