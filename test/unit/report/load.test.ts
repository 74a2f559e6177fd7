import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { countOps, faultIntervals, overallVerdict } from '../../../src/report/derive.js';
import { loadRun } from '../../../src/report/load.js';
import { writeInvalidRun } from './invalid-run.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faultline-load-'));
});
after(() => rm(work, { recursive: true, force: true }));

test('a complete invalid run loads with its verdict, summary and counts', async () => {
  const input = await loadRun((await writeInvalidRun(join(work, 'complete'))).dir);
  assert.equal(input.verdict, 'invalid');
  assert.equal(input.verdictReason, undefined);
  assert.deepEqual(input.summary.nodes, ['n1', 'n2', 'n3']);
  assert.equal(input.summary.workload, 'register');
  assert.deepEqual(input.summary.nemesis, ['partition']);
  assert.equal(input.summary.seed, 42);
  assert.ok(input.summary.durationMs > 100);
  assert.equal(input.startedAt, '2026-11-22T06:00:00.000Z');
  assert.deepEqual(input.problems, []);
});

test('a crashed run (no results.json, torn last line) is reported, and never green', async () => {
  const { dir, events } = await writeInvalidRun(join(work, 'crashed'), { results: false });
  await appendFile(join(dir, 'history.jsonl'), '{"index":999,"time":');
  const input = await loadRun(dir);
  assert.equal(input.verdict, 'unknown');
  assert.match(input.verdictReason ?? '', /did not finish: there is no results\.json/);
  assert.equal(input.events.length, events.length);
  assert.ok(input.problems.some((p) => /results\.json is missing/.test(p)));
  assert.ok(input.problems.some((p) => /torn line/.test(p)));
  assert.deepEqual(input.checkers, []);
});

test('a half-written results.json, or one without checkers, gives unknown', async () => {
  const { dir } = await writeInvalidRun(join(work, 'half'));
  await writeFile(join(dir, 'results.json'), '{"verdict": "valid", "check');
  const half = await loadRun(dir);
  assert.equal(half.verdict, 'unknown');
  assert.ok(half.problems.some((p) => /results\.json is not valid JSON/.test(p)));
  await writeFile(join(dir, 'results.json'), '{"verdict": "valid", "checkers": []}');
  assert.equal((await loadRun(dir)).verdict, 'unknown');
});

test('a run with only a history still makes a report', async () => {
  const { dir } = await writeInvalidRun(join(work, 'bare'), { results: false });
  await unlink(join(dir, 'test.json'));
  const input = await loadRun(dir);
  assert.equal(input.name, 'bare');
  assert.equal(input.verdict, 'unknown');
  assert.deepEqual(input.summary.nodes, ['n1', 'n2', 'n3'], 'nodes from the history');
});

test('not a run directory: a usage error naming it', async () => {
  await assert.rejects(loadRun(join(work, 'nope')), (e: unknown) => e instanceof UsageError && /nope is not a directory/.test(e.message));
  await mkdir(join(work, 'empty'));
  await assert.rejects(loadRun(join(work, 'empty')), (e: unknown) => e instanceof UsageError && /holds no test\.json/.test(e.message));
});

test('the overall verdict is the worst of the recorded one and every checker', () => {
  assert.equal(overallVerdict({ verdict: 'valid' }, ['valid', 'valid']).verdict, 'valid');
  assert.equal(overallVerdict({ verdict: 'valid' }, ['valid', 'invalid']).verdict, 'invalid');
  assert.equal(overallVerdict({ verdict: 'valid' }, ['valid', undefined]).verdict, 'unknown');
  assert.equal(overallVerdict({ verdict: 'nonsense' }, ['valid']).verdict, 'unknown');
  assert.equal(overallVerdict(undefined, ['valid']).verdict, 'unknown');
  assert.equal(overallVerdict({ verdict: 'valid' }, []).verdict, 'unknown');
});

const ev = (index: number, time: number, process: HistoryEvent['process'], type: HistoryEvent['type'], f: string, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ index, time: time * 1e6, process, type, f, value: null, ...extra });

test('fault bands: from a start\'s invocation to its stop\'s completion; heal-all closes all; never healed stays open', () => {
  const events = [
    ev(0, 0, 0, 'invoke', 'read'),
    ev(1, 10, 'nemesis', 'invoke', 'start-partition'),
    ev(2, 11, 'nemesis', 'info', 'start-partition', { value: { fault: 'partition', active: true, targets: ['n1', 'n2'] } }),
    ev(3, 20, 'nemesis', 'invoke', 'start-kill'),
    ev(4, 21, 'nemesis', 'info', 'start-kill', { value: { fault: 'kill', active: true, targets: ['n3'] } }),
    ev(5, 30, 'nemesis', 'invoke', 'stop-partition'),
    ev(6, 32, 'nemesis', 'info', 'stop-partition'),
    ev(7, 40, 'nemesis', 'invoke', 'start-partition'),
    ev(8, 50, 'nemesis', 'invoke', 'heal-all'),
    ev(9, 55, 'nemesis', 'info', 'heal-all'),
    ev(10, 60, 'nemesis', 'invoke', 'start-pause'),
    ev(11, 70, 0, 'ok', 'read'),
  ];
  assert.deepEqual(
    faultIntervals(events).map((f) => [f.fault, f.startMs, f.endMs, f.targets, f.open]),
    [
      ['partition', 10, 32, 'n1, n2', false],
      ['kill', 20, 55, 'n3', false],
      ['partition', 40, 55, '', false],
      ['pause', 60, 70, '', true],
    ],
  );
});

test('op counts by function and node; an invocation that never completed counts as info', () => {
  const counts = countOps([
    ev(0, 0, 0, 'invoke', 'read', { node: 'n1' }),
    ev(1, 1, 1, 'invoke', 'write', { node: 'n2' }),
    ev(2, 2, 0, 'ok', 'read', { node: 'n1' }),
    ev(3, 3, 1, 'fail', 'write', { node: 'n2' }),
    ev(4, 4, 2, 'invoke', 'write', { node: 'n1' }),
    ev(5, 5, 'nemesis', 'invoke', 'start-kill'),
  ]);
  assert.deepEqual(counts.total, { ok: 1, fail: 1, info: 1 });
  assert.deepEqual(counts.byFunction, { read: { ok: 1, fail: 0, info: 0 }, write: { ok: 0, fail: 1, info: 1 } });
  assert.deepEqual(counts.byNode, { n1: { ok: 1, fail: 0, info: 1 }, n2: { ok: 0, fail: 1, info: 0 } });
});
