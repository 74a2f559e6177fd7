import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * Redis streams with a consumer group under partitions: every acknowledged enqueue is
 * delivered, nothing again after its acknowledgement, entry ids in real-time order — while
 * consumers "crash" before acking and others claim what they left pending.
 */
describe('stream-queue workload', () => {
  it('redis: at-least-once, with crashed consumers\' entries claimed', async () => {
    const run = await runAndInspect([
      '--system', 'redis', '--workload', 'stream-queue', '--nemesis', 'partition', '--nemesis-interval', '3',
      '--nodes', '3', '--concurrency', '6', '--time-limit', '8', '--op-timeout', '2', '--settle', '1', '--seed', '11', '--min-ok', '20',
    ]);
    const stream = run.results.checkers.find((c) => c.checker === 'stream-queue');
    assert.equal(stream?.verdict, 'valid', JSON.stringify(stream?.details).slice(0, 1500));
    const details = stream!.details as { redelivered: number; delivered: number; enqueues: { acknowledged: number } };
    assert.ok(details.enqueues.acknowledged > 50, `${details.enqueues.acknowledged} acknowledged enqueues`);
    const deliveries = run.history.filter((e) => e.type === 'ok' && (e.f === 'dequeue' || e.f === 'claim')).flatMap((e) => (e.value === null ? [] : Array.isArray(e.value) ? e.value : [e.value])) as { acked: boolean | null; via: string }[];
    assert.ok(deliveries.some((d) => d.via === 'new' && d.acked === false), 'some consumer crashed before acking');
    assert.ok(deliveries.some((d) => d.via === 'claimed' && d.acked === true), 'some pending entry was claimed and acked');
    assert.ok(details.redelivered > 0, 'entries left pending were delivered again');
    assert.ok(run.history.some((e) => e.f === 'drain' && e.type === 'ok'), 'the final drain completed');
    assert.ok(faultEvents(run.history, 'start-partition').length > 0, 'partitions were applied');
  });
});
