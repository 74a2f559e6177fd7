/**
 * The oracle's per-key shortcut for linearizable (sequential) keys against the definition,
 * by brute force: some committed set and serial order explain every read, and for each key
 * some order of the committed transactions touching it that keeps real time (process order)
 * among them is, on that key alone, a legal register history with the serial order's versions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Json } from '../../../src/history/event.js';
import type { Operation } from '../../../src/history/operation.js';
import { type KeyAssumption, explainable } from './oracle.js';
import { buildHistory, historySpec, showHistory } from './small-history.js';

type Mop = readonly [string, number, Json];
const RUNS = Number(process.env.FAULTLINE_ORACLE_RUNS ?? 10000) / 5;

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations(xs.filter((_, j) => j !== i)).map((p) => [x, ...p]));
}

/**
 * Runs `order` on the register(s), each transaction's micro-ops filtered by `onKey`; the
 * sequence of final writes per key, or undefined when a read of an `ok` transaction disagrees.
 */
function simulate(order: readonly Operation[], onKey: (k: number) => boolean): Map<number, Json[]> | undefined {
  const state = new Map<number, Json>();
  const versions = new Map<number, Json[]>();
  for (const o of order) {
    const mops = (o.type === 'ok' ? o.output : o.input) as unknown as Mop[];
    const last = new Map<number, Json>();
    for (const [f, k, v] of mops) {
      if (!onKey(k)) continue;
      if (f === 'w') {
        state.set(k, v);
        last.set(k, v);
      } else if (o.type === 'ok' && JSON.stringify(state.get(k) ?? null) !== JSON.stringify(v)) return undefined;
    }
    for (const [k, v] of last) versions.set(k, [...(versions.get(k) ?? []), v]);
  }
  return versions;
}

function byDefinition(ops: readonly Operation[], keys: KeyAssumption): boolean {
  const ok = ops.filter((o) => o.type === 'ok');
  const info = ops.filter((o) => o.type === 'info');
  const before = (a: Operation, b: Operation): boolean => a.type === 'ok' && a.ret < b.call && (keys === 'linearizable' || a.process === b.process);
  const touches = (o: Operation, k: number): boolean =>
    ((o.type === 'ok' ? o.output : o.input) as unknown as Mop[]).some(([f, kk]) => kk === k && (o.type === 'ok' || f === 'w'));
  for (let mask = 0; mask < 1 << info.length; mask++) {
    const committed = [...ok, ...info.filter((_, i) => (mask >> i) & 1)];
    const allKeys = [...new Set(committed.flatMap((o) => ((o.type === 'ok' ? o.output : o.input) as unknown as Mop[]).map(([, k]) => k)))];
    for (const serial of permutations(committed)) {
      const versions = simulate(serial, () => true);
      if (versions === undefined) continue;
      const perKey = allKeys.every((k) =>
        permutations(committed.filter((o) => touches(o, k))).some((lin) => {
          if (lin.some((b, j) => lin.slice(j + 1).some((a) => before(a, b)))) return false;
          const mine = simulate(lin, (kk) => kk === k);
          return mine !== undefined && JSON.stringify(mine.get(k) ?? []) === JSON.stringify(versions.get(k) ?? []);
        }),
      );
      if (perKey) return true;
    }
  }
  return false;
}

describe('oracle: linearizable and sequential keys', () => {
  it('the shortcut (no access placed after one that completed before it, but for two readers of one version) is the definition', () => {
    const tally = { explainable: 0, not: 0, differsFromPlain: 0 };
    fc.assert(
      fc.property(historySpec(5), fc.constantFrom<KeyAssumption>('linearizable', 'sequential'), (spec, keys) => {
        const ops = buildHistory(spec, 'rw-register');
        const fast = explainable(ops, 'rw-register', 'none', undefined, keys);
        assert.equal(fast, byDefinition(ops, keys), `${keys}: shortcut says ${fast}\n${showHistory(ops)}`);
        tally[fast ? 'explainable' : 'not']++;
        if (!fast && explainable(ops, 'rw-register', 'none')) tally.differsFromPlain++;
      }),
      { numRuns: RUNS },
    );
    assert.ok(tally.explainable > RUNS / 5 && tally.differsFromPlain > RUNS / 20, JSON.stringify(tally));
  });
});
