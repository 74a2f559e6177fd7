import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairHistory } from '../../../src/history/operation.js';
import { once } from '../../../src/generator/index.js';
import { CoarseDeadlines } from '../../../src/runner/async.js';
import { runTest, timeoutGranularityMs } from '../../../src/runner/run.js';
import { cluster } from './fakes.js';

const never = (): Promise<never> => new Promise(() => undefined);

describe('CoarseDeadlines', () => {
  it('rejects a hanging race with a TimeoutError and aborts the signal, not before the deadline', async () => {
    const deadlines = new CoarseDeadlines(5);
    const slot = deadlines.slot();
    const started = performance.now();
    slot.arm(40);
    const { signal } = slot;
    await assert.rejects(slot.race(never()), (err: Error) => err.name === 'TimeoutError');
    const waited = performance.now() - started;
    assert.ok(waited >= 40, `expired after ${waited.toFixed(1)} ms, before its 40 ms deadline`);
    assert.ok(signal.aborted);
    slot.disarm();
    deadlines.stop();
  });

  it('keeps one controller while operations finish in time, and a fresh one after it fired', async () => {
    const deadlines = new CoarseDeadlines(1);
    const slot = deadlines.slot();
    slot.arm(1_000);
    const first = slot.signal;
    assert.equal(await slot.race(Promise.resolve(1)), 1);
    slot.disarm();
    slot.arm(1_000);
    assert.equal(slot.signal, first, 'reused while it has not fired');
    await assert.rejects(slot.race(Promise.reject(new Error('boom'))), /boom/);
    slot.disarm();
    slot.arm(0);
    await assert.rejects(slot.race(never()), (err: Error) => err.name === 'TimeoutError');
    slot.disarm();
    slot.arm(1_000);
    assert.notEqual(slot.signal, first);
    assert.equal(slot.signal.aborted, false);
    slot.disarm();
    deadlines.stop();
  });

  it('does not expire idle or finished slots, and stops its timer when nothing is armed', () => {
    const deadlines = new CoarseDeadlines(1);
    const idle = deadlines.slot();
    const done = deadlines.slot();
    done.arm(0, performance.now() - 10);
    done.disarm();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    deadlines.scan(performance.now() + 60_000);
    assert.equal(idle.signal.aborted, false);
    assert.equal(done.signal.aborted, false);
    assert.equal(timers(), before - 1, 'the scan timer stopped');
  });
});

describe('runTest timeouts', () => {
  it('turns an operation that never settles (and ignores its signal) into info within timeout + granularity', async () => {
    const opTimeoutMs = 100;
    const result = await runTest({
      seed: 1,
      concurrency: 2,
      cluster: cluster('n1'),
      routing: { kind: 'random' },
      openClient: async (node) => ({ node, invoke: never, close: async () => undefined }),
      generator: once({ f: 'read', value: null }),
      opTimeoutMs,
      timeLimitMs: 5_000,
    });
    const [op, ...rest] = pairHistory(result.history).ops;
    assert.equal(rest.length, 0);
    assert.equal(op?.type, 'info');
    assert.equal(op?.error, 'timeout');
    const tookMs = (op!.ret - op!.call) / 1e6;
    // Never early; late by at most the granularity, plus what a loaded machine adds to any timer.
    assert.ok(tookMs >= opTimeoutMs, `completed after ${tookMs} ms`);
    assert.ok(tookMs <= opTimeoutMs + timeoutGranularityMs(opTimeoutMs) + 250, `completed after ${tookMs} ms`);
  });

  it('derives the granularity from the timeout: a tenth, between 1 and 100 ms', () => {
    assert.equal(timeoutGranularityMs(5_000), 100);
    assert.equal(timeoutGranularityMs(100), 10);
    assert.equal(timeoutGranularityMs(5), 1);
  });
});
