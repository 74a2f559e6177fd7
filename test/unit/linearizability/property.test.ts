import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import { MODELS } from '../../../src/checker/linearizability/models/index.js';
import type { HistoryEvent, Json, Key } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';
import { bruteForceLinearizable } from './reference.js';

/** What an op of each model looks like: its function, input, and a plausible output. */
type OpMaker = (pick: number) => { f: string; input: Json; output: (pick: number) => Json; key?: Key };

const small = [null, 0, 1, 2] as const;
const v = (n: number): Json => small[n % small.length]!;
const val = (n: number): number => n % 3;

const MAKERS: Record<string, OpMaker> = {
  register: (n) => (n % 2 === 0 ? { f: 'read', input: null, output: v } : { f: 'write', input: val(n >> 1), output: () => val(n >> 1) }),
  'cas-register': (n) =>
    n % 3 === 0
      ? { f: 'read', input: null, output: v }
      : n % 3 === 1
        ? { f: 'write', input: val(n >> 2), output: () => val(n >> 2) }
        : { f: 'cas', input: [v(n >> 2), val(n >> 4)], output: () => [v(n >> 2), val(n >> 4)] },
  mutex: (n) => ({ f: n % 2 === 0 ? 'acquire' : 'release', input: null, output: () => null }),
  set: (n) =>
    n % 2 === 0
      ? { f: 'add', input: val(n >> 1), output: () => val(n >> 1) }
      : { f: 'read', input: null, output: (p) => [0, 1, 2].filter((x) => (p & (1 << x)) !== 0) },
  'fifo-queue': (n) => (n % 2 === 0 ? { f: 'enqueue', input: val(n >> 1), output: () => val(n >> 1) } : { f: 'dequeue', input: null, output: v }),
  'unordered-queue': (n) => (n % 2 === 0 ? { f: 'enqueue', input: val(n >> 1), output: () => val(n >> 1) } : { f: 'dequeue', input: null, output: v }),
  'multi-register': (n) => {
    const key = n % 2 === 0 ? 'x' : 'y';
    const other = key === 'x' ? 'y' : 'x';
    if (n % 3 === 0) return { f: 'txn', input: [['w', key, val(n >> 2)]], output: () => [['w', key, val(n >> 2)]] };
    if (n % 3 === 1) return { f: 'txn', input: [['r', key, null]], output: (p) => [['r', key, v(p)]] };
    return { f: 'txn', input: [['r', key, null], ['w', other, val(n >> 2)]], output: (p) => [['r', key, v(p)], ['w', other, val(n >> 2)]] };
  },
  kv: (n) => {
    const key = n % 2 === 0 ? 'a' : 'b';
    const strings = ['', 'x', 'y', 'xy', 'yx'];
    if (n % 3 === 0) return { key, f: 'get', input: null, output: (p) => strings[p % strings.length]! };
    if (n % 3 === 1) return { key, f: 'put', input: strings[1 + ((n >> 2) % 2)]!, output: () => null };
    return { key, f: 'append', input: (n >> 2) % 2 === 0 ? 'x' : 'y', output: () => null };
  },
};

/** A step of the random schedule: which process slot acts, and how. */
const action = fc.record({ slot: fc.nat(2), what: fc.nat(99), pick: fc.nat(255), tick: fc.boolean() });

/**
 * Builds a well-formed history from random actions: an idle slot invokes (at most 8 ops),
 * a busy one completes ok (most often), fail or info; after info the slot continues under
 * a fresh process. Times may tie, so touching intervals are exercised too.
 */
function buildHistory(
  model: string,
  actions: readonly { slot: number; what: number; pick: number; tick: boolean }[],
  okBelow = 70,
  failBelow = 85,
  make = MAKERS[model]!,
): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const open: ({ f: string; input: Json; output: (p: number) => Json; key?: Key } | undefined)[] = [undefined, undefined, undefined];
  const process = [0, 1, 2];
  let next = 3;
  let time = 0;
  let invoked = 0;
  for (const a of actions) {
    if (a.tick) time++;
    const op = open[a.slot];
    const base = { index: events.length, time, process: process[a.slot]! };
    if (op === undefined) {
      if (invoked === 8) continue;
      const made = make(a.pick);
      invoked++;
      open[a.slot] = made;
      events.push({ ...base, type: 'invoke', f: made.f, value: made.input, ...(made.key === undefined ? {} : { key: made.key }) });
      continue;
    }
    const type = a.what < okBelow ? 'ok' : a.what < failBelow ? 'fail' : 'info';
    events.push({ ...base, type, f: op.f, value: type === 'ok' ? op.output(a.pick) : op.input, ...(op.key === undefined ? {} : { key: op.key }) });
    open[a.slot] = undefined;
    if (type === 'info') process[a.slot] = next++;
  }
  return events;
}

describe('the search agrees with brute force on small random histories', () => {
  for (const model of MODELS.keys()) {
    it(model, async () => {
      const seen = { valid: 0, invalid: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 24 }), async (actions) => {
          const events = buildHistory(model, actions);
          const expected = bruteForceLinearizable(MODELS.get(model)!, undefined, pairHistory(events).ops) ? 'valid' : 'invalid';
          const result = await checkLinearizability(events, { model, workers: 0, stopOnInvalid: false });
          assert.equal(result.verdict, expected);
          seen[expected]++;
          if (expected === 'invalid') assert.ok(result.partitions.some((p) => p.explanation !== undefined));
        }),
        { numRuns: 600 },
      );
      // The generator must exercise both answers, or agreement proves little.
      assert.ok(seen.valid > 30 && seen.invalid > 30, `valid ${seen.valid}, invalid ${seen.invalid}`);
    });
  }
});

/**
 * Info-heavy histories for the models that settle info ops (info-ops.ts): writes and
 * cas of null (the initial value) and three others, so the same value is often written
 * twice, by info ops too (a mutation test drops each soundness condition; this fails),
 * reads of those values, and about half of the completions `info`.
 */
const INFO_MAKERS: Record<string, OpMaker> = {
  register: (n) => (n % 3 === 0 ? { f: 'read', input: null, output: v } : { f: 'write', input: v(n >> 2), output: () => v(n >> 2) }),
  'cas-register': (n) =>
    n % 3 === 0
      ? { f: 'read', input: null, output: v }
      : n % 3 === 1
        ? { f: 'write', input: v(n >> 2), output: () => v(n >> 2) }
        : { f: 'cas', input: [v(n >> 2), v(n >> 4)], output: () => [v(n >> 2), v(n >> 4)] },
  'multi-register': (n) =>
    n % 4 === 3
      ? { f: 'txn', input: [['w', 'x', val(n >> 2)], ['w', 'y', val(n >> 4)]], output: () => [['w', 'x', val(n >> 2)], ['w', 'y', val(n >> 4)]] }
      : MAKERS['multi-register']!(n),
  kv: (n) => {
    const key = n % 4 === 0 ? 'b' : 'a';
    const strings = ['', 'x', 'y', 'xy', 'xx'];
    if (n % 3 === 0) return { key, f: 'get', input: null, output: (p) => strings[p % strings.length]! };
    if (n % 3 === 1) return { key, f: 'put', input: strings[1 + ((n >> 2) % 2)]!, output: () => null };
    return { key, f: 'append', input: (n >> 2) % 2 === 0 ? 'x' : 'y', output: () => null };
  },
};

describe('settling info ops (drop the unseen, bound the seen) agrees with brute force', () => {
  for (const model of Object.keys(INFO_MAKERS)) {
    it(model, async () => {
      const seen = { valid: 0, invalid: 0, dropped: 0, bounded: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 24 }), async (actions) => {
          // Half ok, half info, no fail.
          const events = buildHistory(model, actions, 50, 50, INFO_MAKERS[model]!);
          const expected = bruteForceLinearizable(MODELS.get(model)!, undefined, pairHistory(events).ops) ? 'valid' : 'invalid';
          const resolved = await checkLinearizability(events, { model, workers: 0, stopOnInvalid: false });
          const kept = await checkLinearizability(events, { model, workers: 0, stopOnInvalid: false, resolveInfo: false });
          assert.equal(resolved.verdict, expected);
          assert.equal(kept.verdict, expected);
          assert.equal(kept.stats.infoDropped + kept.stats.infoBounded, 0);
          seen[expected]++;
          seen.dropped += resolved.stats.infoDropped;
          seen.bounded += resolved.stats.infoBounded;
        }),
        { numRuns: 2000 },
      );
      // Both answers, and both rules, must be exercised (kv only drops: its traces are inexact).
      assert.ok(seen.valid > 30 && seen.invalid > 30, `valid ${seen.valid}, invalid ${seen.invalid}`);
      assert.ok(seen.dropped > 30, `dropped ${seen.dropped}`);
      if (model !== 'kv') assert.ok(seen.bounded > 30, `bounded ${seen.bounded}`);
    });
  }
});

/**
 * Info writes resolved before the search (info-ops.ts: unobserved ones dropped, uniquely
 * observed ones bounded): with info outcomes common and values repeating, the verdict must
 * still be brute force's, both ways — and the resolution must actually have happened.
 */
describe('resolving info writes keeps the verdict', () => {
  for (const model of ['register', 'cas-register']) {
    it(model, async () => {
      const seen = { valid: 0, invalid: 0, dropped: 0, bounded: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 28 }), async (actions) => {
          const events = buildHistory(model, actions, 45, 55);
          const expected = bruteForceLinearizable(MODELS.get(model)!, undefined, pairHistory(events).ops) ? 'valid' : 'invalid';
          const result = await checkLinearizability(events, { model, workers: 0, stopOnInvalid: false });
          assert.equal(result.verdict, expected);
          seen[expected]++;
          seen.dropped += result.stats.infoDropped;
          seen.bounded += result.stats.infoBounded;
        }),
        { numRuns: 1500 },
      );
      assert.ok(seen.valid > 50 && seen.invalid > 50, `valid ${seen.valid}, invalid ${seen.invalid}`);
      assert.ok(seen.dropped > 50 && seen.bounded > 20, `dropped ${seen.dropped}, bounded ${seen.bounded}`);
    });
  }
});

