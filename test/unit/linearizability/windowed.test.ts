import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLinearizability, type LinearizabilityOptions } from '../../../src/checker/linearizability/check.js';
import { LinearizedSet } from '../../../src/checker/linearizability/linearized-set.js';
import { MODELS } from '../../../src/checker/linearizability/models/index.js';
import { SeenConfigurations } from '../../../src/checker/linearizability/seen.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';
import { bruteForceLinearizable } from './reference.js';

/**
 * A register (or cas-register) used by `processes` clients: each op takes effect at a
 * random point of its interval, so the history is linearizable — unless `corrupt` changes
 * one read's result. Some ops time out (info, with or without effect) and values repeat,
 * so info writes stay open and the open window spans many ops.
 */
function simulate(cas: boolean, processes: number, steps: readonly number[], corrupt: number | undefined): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  type Open = { process: number; f: string; input: Json; applied: boolean; output: Json; failed: boolean };
  const open: (Open | undefined)[] = new Array<Open | undefined>(processes).fill(undefined);
  const pid = Array.from({ length: processes }, (_, i) => i);
  let fresh = processes;
  let value: Json = null;
  let time = 0;
  for (const r of steps) {
    const slot = r % processes;
    const pick = Math.floor(r / processes);
    time += pick % 2;
    const op = open[slot];
    if (op === undefined) {
      const kind = pick % (cas ? 3 : 2);
      const f = kind === 0 ? 'read' : kind === 1 ? 'write' : 'cas';
      const input: Json = f === 'read' ? null : f === 'write' ? (pick >> 2) % 4 : [(pick >> 2) % 3, (pick >> 4) % 4];
      open[slot] = { process: pid[slot]!, f, input, applied: false, output: null, failed: false };
      events.push({ index: events.length, time, process: pid[slot]!, type: 'invoke', f, value: input });
      continue;
    }
    if (!op.applied && pick % 3 !== 0) {
      op.applied = true;
      if (op.f === 'read') op.output = value;
      else if (op.f === 'write') value = op.input;
      else if (value === (op.input as Json[])[0]) value = (op.input as Json[])[1]!;
      else op.failed = true;
      continue;
    }
    // Complete: a timeout (info) one time in eight, with or without effect.
    const info = pick % 8 === 7;
    if (!info && !op.applied) continue;
    const type = info ? 'info' : op.failed ? 'fail' : 'ok';
    events.push({ index: events.length, time, process: op.process, type, f: op.f, value: op.f === 'read' ? (type === 'ok' ? op.output : null) : op.input });
    open[slot] = undefined;
    if (info) pid[slot] = fresh++;
  }
  if (corrupt !== undefined) {
    const reads = events.filter((e) => e.type === 'ok' && e.f === 'read');
    const read = reads[corrupt % reads.length];
    // A value the register did not hold then (null reads become 0..3, numbers shift).
    if (read !== undefined) read.value = typeof read.value === 'number' ? (read.value + 1 + ((corrupt >> 3) % 3)) % 4 : (corrupt >> 3) % 4;
  }
  return events;
}

const shapes = fc.record({
  cas: fc.boolean(),
  processes: fc.integer({ min: 2, max: 5 }),
  steps: fc.array(fc.nat(1 << 12), { minLength: 1, maxLength: 150, size: 'max' }),
  corrupt: fc.option(fc.nat(1 << 10), { nil: undefined }),
});

async function run(events: HistoryEvent[], cas: boolean, search: LinearizabilityOptions['search'], timeLimitMs?: number): Promise<{ verdict: string; blocked: number | undefined }> {
  const r = await checkLinearizability(events, { model: cas ? 'cas-register' : 'register', workers: 0, search, resolveInfo: false, ...(timeLimitMs === undefined ? {} : { timeLimitMs }) });
  return { verdict: r.verdict, blocked: r.partitions[0]?.explanation?.blocked.id };
}

describe('the windowed visited set', () => {
  it('gives the verdicts (and frontier) of the whole-set one, also when it forgets all the time', async () => {
    const seen = { valid: 0, invalid: 0 };
    let forgotUnknown = 0;
    await fc.assert(
      fc.asyncProperty(shapes, async ({ cas, processes, steps, corrupt }) => {
        const events = simulate(cas, processes, steps, corrupt);
        const whole = await run(events, cas, { windowed: false }, 5000);
        // A rare history may be too hard to decide in a unit test's time: nothing to compare.
        if (whole.verdict === 'unknown') return;
        const windowed = await run(events, cas, {});
        // 2,000 bytes: a table of 32 slots, so nearly every growth forgets half of it.
        const forgetting = await run(events, cas, { seenLimitBytes: 2000 }, 2000);
        assert.deepEqual(windowed, whole);
        // Forgetting may re-explore a lot (it is bounded by time, as in real checks), never decide otherwise.
        if (forgetting.verdict !== 'unknown') assert.equal(forgetting.verdict, whole.verdict);
        else forgotUnknown++;
        seen[whole.verdict as 'valid' | 'invalid']++;
      }),
      { numRuns: 500 },
    );
    assert.ok(seen.valid > 25 && seen.invalid > 25, `valid ${seen.valid}, invalid ${seen.invalid}`);
    assert.ok(forgotUnknown < 10, `forgetting ran out of time ${forgotUnknown} times`);
  });

  it('agrees with brute force both ways on tiny register and cas-register histories, whole sets or forgetting all the time', async () => {
    const small = fc.record({ cas: fc.boolean(), processes: fc.integer({ min: 2, max: 3 }), steps: fc.array(fc.nat(1 << 12), { maxLength: 24, size: 'max' }), corrupt: fc.option(fc.nat(1 << 10), { nil: undefined }) });
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(small, async ({ cas, processes, steps, corrupt }) => {
        const events = simulate(cas, processes, steps, corrupt);
        const model = cas ? 'cas-register' : 'register';
        const ops = pairHistory(events).ops.filter((o) => o.type !== 'fail');
        if (ops.filter((o) => o.type === 'info').length > 6) return;
        const expected = bruteForceLinearizable(MODELS.get(model)!, undefined, ops) ? 'valid' : 'invalid';
        for (const search of [{ windowed: false }, { seenLimitBytes: 400 }, { windowed: false, seenLimitBytes: 400 }]) {
          assert.equal((await run(events, cas, search)).verdict, expected);
        }
        seen[expected]++;
      }),
      { numRuns: 400 },
    );
    assert.ok(seen.valid > 30 && seen.invalid > 30, `valid ${seen.valid}, invalid ${seen.invalid}`);
  });
});

/** The set's Zobrist hash recomputed from scratch. */
function hashes(set: LinearizedSet): [number, number] {
  const fresh = new LinearizedSet(set.size);
  for (let o = 0; o < set.size; o++) if (set.has(o)) fresh.add(o);
  return [fresh.h1, fresh.h2];
}

describe('SeenConfigurations', () => {
  const ops = fc.array(fc.record({ op: fc.nat(199), state: fc.nat(3), add: fc.boolean() }), { maxLength: 600, size: 'max' });

  for (const windowed of [true, false]) {
    it(`${windowed ? 'windowed' : 'whole sets'}: says "seen" exactly for configurations added before; when forgetting, only for those`, () => {
      let forgot = 0;
      fc.assert(
        fc.property(ops, fc.boolean(), fc.boolean(), (steps, tight, collide) => {
          const set = new LinearizedSet(200);
          const table = new SeenConfigurations(windowed, tight ? 400 : Infinity);
          const added = new Set<string>();
          for (const { op, state, add } of steps) {
            // Collisions zeroed the running hash: start each step from the true one.
            if (collide) [set.h1, set.h2] = hashes(set);
            if (add && !set.has(op)) set.add(op);
            else if (!add && set.has(op)) set.delete(op);
            const key = `${state}:${[...set.bits].join(',')}`;
            // Half the time every hash collides, so the stored windows alone decide.
            if (collide) [set.h1, set.h2] = [0, 0];
            const fresh = table.add(set, state);
            // Never "seen" for a configuration never added: that would skip a branch.
            if (!fresh) assert.ok(added.has(key), 'claimed seen but never added');
            if (!tight) assert.equal(fresh, !added.has(key));
            added.add(key);
          }
          forgot += table.forgotten;
        }),
        { numRuns: 200 },
      );
      assert.ok(forgot > 0, 'the tight tables never forgot anything');
    });
  }
});
