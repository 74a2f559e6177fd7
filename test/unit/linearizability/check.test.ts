import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import { describeResult } from '../../../src/checker/linearizability/describe.js';
import { InputError, UsageError } from '../../../src/errors.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { readHistoryFile } from '../../../src/history/read.js';
import { packageRoot } from '../../../src/version.js';

const porcupine = join(packageRoot, '..', 'shared', 'histories', 'porcupine');

/** `[process, type, f, value, key?]` rows → events with time = position. */
function history(rows: readonly [number, HistoryEvent['type'], string, Json, string?][]): HistoryEvent[] {
  return rows.map(([process, type, f, value, key], index) => ({ index, time: index, process, type, f, value, ...(key === undefined ? {} : { key }) }));
}

async function verdict(model: string, rows: Parameters<typeof history>[0], init?: Json): Promise<string> {
  return (await checkLinearizability(history(rows), { model, workers: 0, ...(init === undefined ? {} : { init }) })).verdict;
}

describe('models', () => {
  it('register: a read sees the latest write, absent reads as null, --init sets the start', async () => {
    const stale: Parameters<typeof history>[0] = [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
    ];
    assert.equal(await verdict('register', stale), 'invalid');
    assert.equal(await verdict('register', [[1, 'invoke', 'read', null], [1, 'ok', 'read', null]]), 'valid');
    assert.equal(await verdict('register', [[1, 'invoke', 'read', null], [1, 'ok', 'read', 0]]), 'invalid');
    assert.equal(await verdict('register', [[1, 'invoke', 'read', null], [1, 'ok', 'read', 0]], 0), 'valid');
  });

  it('cas-register: an ok cas must match; an unknown one may or may not have happened', async () => {
    const rows = (type: 'ok' | 'info'): Parameters<typeof history>[0] => [
      [0, 'invoke', 'cas', [null, 1]],
      [0, type, 'cas', [null, 1]],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
    ];
    assert.equal(await verdict('cas-register', rows('ok')), 'invalid');
    assert.equal(await verdict('cas-register', rows('info')), 'valid');
    await assert.rejects(verdict('cas-register', [[0, 'invoke', 'cas', 1], [0, 'ok', 'cas', 1]]), /cas value must be \[old, new\]/);
  });

  it('mutex: two overlapping holders are impossible', async () => {
    const rows: Parameters<typeof history>[0] = [
      [0, 'invoke', 'acquire', null],
      [0, 'ok', 'acquire', null],
      [1, 'invoke', 'acquire', null],
      [1, 'ok', 'acquire', null],
    ];
    assert.equal(await verdict('mutex', rows), 'invalid');
    assert.equal(await verdict('mutex', [...rows.slice(0, 2), [0, 'invoke', 'release', null], [0, 'ok', 'release', null], ...rows.slice(2)]), 'valid');
  });

  it('set, queues and multi-register', async () => {
    assert.equal(await verdict('set', [[0, 'invoke', 'add', 1], [0, 'ok', 'add', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', []]]), 'invalid');
    const fifo: Parameters<typeof history>[0] = [
      [0, 'invoke', 'enqueue', 1],
      [0, 'ok', 'enqueue', 1],
      [0, 'invoke', 'enqueue', 2],
      [0, 'ok', 'enqueue', 2],
      [1, 'invoke', 'dequeue', null],
      [1, 'ok', 'dequeue', 2],
    ];
    assert.equal(await verdict('fifo-queue', fifo), 'invalid');
    assert.equal(await verdict('unordered-queue', fifo), 'valid');
    const lostWrite: Parameters<typeof history>[0] = [
      [0, 'invoke', 'txn', [['w', 'x', 1], ['w', 'y', 1]]],
      [0, 'ok', 'txn', [['w', 'x', 1], ['w', 'y', 1]]],
      [1, 'invoke', 'txn', [['r', 'x', null], ['r', 'y', null]]],
      [1, 'ok', 'txn', [['r', 'x', 1], ['r', 'y', null]]],
    ];
    assert.equal(await verdict('multi-register', lostWrite), 'invalid');
  });

  it('kv: appends concatenate per key; keys split into partitions', async () => {
    const rows: Parameters<typeof history>[0] = [
      [0, 'invoke', 'append', 'a', 'k1'],
      [1, 'invoke', 'append', 'b', 'k2'],
      [0, 'ok', 'append', 'a', 'k1'],
      [1, 'ok', 'append', 'b', 'k2'],
      [0, 'invoke', 'get', null, 'k1'],
      [0, 'ok', 'get', 'ab', 'k1'],
    ];
    const result = await checkLinearizability(history(rows), { model: 'kv', workers: 0 });
    assert.equal(result.verdict, 'invalid');
    assert.equal(result.stats.partitions, 2);
    assert.equal(result.partitions[0]!.key, 'k1');
    assert.equal(await verdict('kv', [[0, 'invoke', 'get', null, 'k1'], [0, 'ok', 'get', 'x', 'k1']], 'x'), 'valid');
  });

  it('rejects operations the model does not know, naming the event', async () => {
    await assert.rejects(verdict('register', [[0, 'invoke', 'cas', [1, 2]], [0, 'ok', 'cas', [1, 2]]]), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /event 0: "cas" is not an operation of the register model/);
      return true;
    });
    await assert.rejects(verdict('no-such-model', []), UsageError);
  });
});

describe('explanations', () => {
  it('give the prefix, the op that could not be placed, the states it met and its concurrent ops', async () => {
    const rows: Parameters<typeof history>[0] = [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [0, 'invoke', 'write', 2],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 3],
      [0, 'ok', 'write', 2],
      [2, 'invoke', 'write', 3],
      [2, 'ok', 'write', 3],
    ];
    const result = await checkLinearizability(history(rows), { model: 'register', workers: 0 });
    const x = result.partitions[0]!.explanation!;
    assert.equal(x.prefixLength, 2);
    assert.deepEqual(x.prefix.map((l) => [l.op.f, l.state]), [['write', 1], ['write', 2]]);
    assert.deepEqual([x.blocked.f, x.blocked.output, x.blocked.call, x.blocked.ret], ['read', 3, 3, 4]);
    assert.deepEqual(x.states, [2]);
    assert.deepEqual(x.candidates.map((c) => [c.op.f, c.outcome]), [['read', 'rejected']]);
    assert.deepEqual(x.concurrent.map((o) => o.f), ['write']);
    const text = describeResult('h.jsonl', result);
    assert.match(text, /NOT linearizable/);
    assert.match(text, /#4 p1 read → 3 \[t=3\.\.4\] had to take effect before it returned/);
    assert.match(text, /p1 read 3 at 0\.00 s \(history index 4\) with no fault in effect; the last write that had completed before it began was write 1 by p0/);
  });

  it('say so at once when a read saw a value no operation could produce', async () => {
    const rows: Parameters<typeof history>[0] = [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 7],
    ];
    const result = await checkLinearizability(history(rows), { model: 'cas-register', workers: 0 });
    const x = result.partitions[0]!.explanation!;
    assert.equal(x.impossible, true);
    assert.deepEqual([x.blocked.f, x.blocked.output, x.states], ['read', 7, [null]]);
    assert.match(describeResult('h', result), /read → 7 \[t=2\.\.3\] is impossible in any order/);
  });

  it('say so from the initial state when the search had already moved on before the checks ran', async () => {
    // 30 writes one after another, then 8 concurrent ones: after the impossible read fails,
    // backtracking through the 8 writes' orders passes the step count at which a small
    // partition's checks run (search.ts EAGER_STEPS_PER_OP), deep into the writes.
    type Row = Parameters<typeof history>[0][number];
    const sequential = Array.from({ length: 30 }, (_, i): Row[] => [
      [0, 'invoke', 'write', i + 1],
      [0, 'ok', 'write', i + 1],
    ]).flat();
    const concurrent: Row[] = [
      ...Array.from({ length: 8 }, (_, p): Row => [p + 1, 'invoke', 'write', 100 + p]),
      ...Array.from({ length: 8 }, (_, p): Row => [p + 1, 'ok', 'write', 100 + p]),
    ];
    const rows: Row[] = [...sequential, ...concurrent, [9, 'invoke', 'read', null], [9, 'ok', 'read', -7]];
    const result = await checkLinearizability(history(rows), { model: 'register', workers: 0 });
    const x = result.partitions[0]!.explanation!;
    assert.equal(x.impossible, true);
    assert.deepEqual([x.blocked.output, x.states, x.prefixLength], [-7, [null], 0]);
    assert.ok(result.stats.nodes >= 8 * 39 + 64, `the search took ${result.stats.nodes} steps: the checks ran before it moved on`);
  });
});

describe('budgets', () => {
  it('turn an over-budget search into unknown with the reason, and never into a verdict', async () => {
    const events = await readHistoryFile(join(porcupine, 'kv', 'c10-ok.txt'));
    const tight = await checkLinearizability(events, { model: 'kv', workers: 0, partition: false, memoryLimitBytes: 2 ** 20 });
    assert.equal(tight.verdict, 'unknown');
    assert.match(tight.reason ?? '', /memory limit reached/);
    const late = await checkLinearizability(events, { model: 'kv', workers: 0, partition: false, timeLimitMs: 1 });
    assert.equal(late.verdict, 'unknown');
    assert.match(late.reason ?? '', /time limit reached/);
  });

  it('stop at the first invalid partition unless asked to check them all', async () => {
    const stale = (key: string): Parameters<typeof history>[0] => [
      [0, 'invoke', 'put', 'x', key],
      [0, 'ok', 'put', 'x', key],
      [1, 'invoke', 'get', null, key],
      [1, 'ok', 'get', '', key],
    ];
    const events = history([...stale('a'), ...stale('b')]);
    const all = await checkLinearizability(events, { model: 'kv', workers: 0, stopOnInvalid: false });
    assert.deepEqual(all.partitions.map((p) => p.verdict), ['invalid', 'invalid']);
    const first = await checkLinearizability(events, { model: 'kv', workers: 0 });
    assert.equal(first.verdict, 'invalid');
    assert.deepEqual(first.partitions.map((p) => p.verdict), ['invalid', 'unknown']);
    assert.match(first.partitions[1]!.reason ?? '', /^not checked/);
  });
});
