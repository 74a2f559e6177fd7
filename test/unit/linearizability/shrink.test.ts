import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import { ddmin } from '../../../src/checker/shrink/ddmin.js';
import { operationUnits } from '../../../src/checker/shrink/history.js';
import { failsLike, shrinkNotLinearizable } from '../../../src/checker/shrink/linearizability.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { readHistoryFile } from '../../../src/history/read.js';
import { packageRoot } from '../../../src/version.js';

describe('ddmin', () => {
  it('returns a subset that still fails and from which no single element can be removed (brute force over each removal)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat(30), { minLength: 1, maxLength: 25 }), fc.nat(60), async (items, threshold) => {
        // Not monotone on purpose: fails when the sum is at least the threshold and the count is odd.
        const fails = async (s: number[]): Promise<boolean> => s.reduce((a, b) => a + b, 0) >= threshold && s.length % 2 === 1;
        if (!(await fails(items))) return;
        const { items: out, minimal } = await ddmin(items, fails);
        assert.ok(minimal);
        assert.ok(await fails(out));
        assert.ok(out.every((x) => items.includes(x)));
        for (let i = 0; i < out.length; i++) assert.equal(await fails(out.filter((_, j) => j !== i)), false);
      }),
      { numRuns: 400 },
    );
  });
});

/** A random cas-register history: 3 processes, each op's interval after its process's previous one. */
const step = fc.record({ p: fc.nat(2), kind: fc.nat(2), a: fc.nat(2), b: fc.nat(2), gap: fc.nat(3), len: fc.integer({ min: 1, max: 4 }), info: fc.nat(9) });
function history(steps: readonly { p: number; kind: number; a: number; b: number; gap: number; len: number; info: number }[]): HistoryEvent[] {
  const free = [0, 0, 0];
  const raw: Omit<HistoryEvent, 'index'>[] = [];
  for (const s of steps) {
    const call = free[s.p]! + s.gap;
    const ret = call + s.len;
    free[s.p] = ret + 1;
    const f = s.kind === 0 ? 'read' : s.kind === 1 ? 'write' : 'cas';
    const input: Json = f === 'read' ? null : f === 'write' ? s.a : [s.a, s.b];
    raw.push({ time: call, process: s.p, type: 'invoke', f, value: input });
    const type = s.info === 0 ? 'info' : 'ok';
    raw.push({ time: ret, process: s.p, type, f, value: f === 'read' ? s.b : input });
  }
  // Info ops leave their process (a fresh one continues): keep processes sequential.
  return raw.sort((x, y) => x.time - y.time || (x.type === 'invoke' ? 1 : -1)).map((e, index) => ({ ...e, index }) as HistoryEvent);
}

async function notLinearizable(events: HistoryEvent[]): Promise<boolean> {
  return (await checkLinearizability(events, { model: 'cas-register', workers: 0 })).verdict === 'invalid';
}

/**
 * Every shrunk history is invalid, and removing any one of its operations makes it fail no
 * longer the same way (1-minimality): valid, or invalid only because a read lost its writer.
 */
async function assertOneMinimal(events: readonly HistoryEvent[], model: string): Promise<number> {
  const result = await checkLinearizability(events, { model, workers: 0 });
  const shrunk = await shrinkNotLinearizable(events, result, { model, workers: 0 });
  if (result.verdict !== 'invalid') {
    assert.equal(shrunk, undefined);
    return 0;
  }
  assert.ok(shrunk !== undefined && shrunk.minimal);
  assert.equal((await checkLinearizability(shrunk.events, { model, workers: 0 })).verdict, 'invalid');
  const units = operationUnits(shrunk.events);
  assert.equal(units.length, shrunk.ops);
  const same = failsLike(result, { model });
  for (const drop of units) {
    const without: HistoryEvent[] = shrunk.events.filter((e) => !drop.includes(e));
    assert.equal(await same(without), false, 'removing one operation must end the failure');
  }
  return shrunk.ops;
}

describe('shrinking a non-linearizable history', () => {
  it('random cas-register histories: shrunk is invalid and 1-minimal; valid histories are not shrunk', async () => {
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 9 }), async (steps) => {
        const events = history(steps);
        if (await notLinearizable(events)) invalid++;
        await assertOneMinimal(events, 'cas-register');
      }),
      { numRuns: 300 },
    );
    assert.ok(invalid > 30, `only ${invalid} invalid histories generated`);
  });

  it('the shared invalid Jepsen etcd histories shrink to a few operations, each shrunk history 1-minimal', async () => {
    const dir = join(packageRoot, '..', 'shared', 'histories', 'porcupine', 'jepsen');
    for (const name of ['etcd_000.log', 'etcd_001.log', 'etcd_003.log']) {
      const ops = await assertOneMinimal(await readHistoryFile(join(dir, name)), 'cas-register');
      assert.ok(ops >= 1 && ops <= 10, `${name}: ${ops} operations`);
    }
  });
});
