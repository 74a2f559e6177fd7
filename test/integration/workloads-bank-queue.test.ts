import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * The bank on every system, through its own transaction, under partitions and kills: every
 * read of all accounts sums to the total (etcd, ZooKeeper and Consul commit both balances
 * with compares on versions; Redis runs one script on the primary).
 */
describe('bank workload', () => {
  for (const system of ['etcd', 'zookeeper', 'consul', 'redis']) {
    it(`${system}: transfers keep the total under partition and kill`, async () => {
      const run = await runAndInspect([
        '--system', system, '--workload', 'bank', '--nemesis', 'partition,kill', '--nemesis-interval', '3',
        '--nodes', '3', '--concurrency', '6', '--time-limit', '12', '--op-timeout', '2', '--settle', '2', '--seed', '11', '--min-ok', '20',
      ]);
      const bank = run.results.checkers.find((c) => c.checker === 'bank');
      assert.equal(bank?.verdict, 'valid', JSON.stringify(bank?.details).slice(0, 1500));
      assert.ok(run.history.some((e) => e.f === 'transfer' && e.type === 'ok'), 'some transfer committed');
      assert.ok(faultEvents(run.history, 'start-partition').length + faultEvents(run.history, 'start-kill').length > 0, 'faults were applied');
    });
  }
});

/** The queue on every system under partitions: nothing acknowledged lost, nothing out twice, nothing out ahead of an element enqueued before it. */
describe('queue workload', () => {
  for (const system of ['etcd', 'zookeeper', 'consul', 'redis']) {
    it(`${system}: what goes in comes out once`, async () => {
      const run = await runAndInspect([
        '--system', system, '--workload', 'queue', '--nemesis', 'partition', '--nemesis-interval', '3',
        '--nodes', '3', '--concurrency', '6', '--time-limit', '12', '--op-timeout', '2', '--settle', '2', '--seed', '11', '--min-ok', '20',
      ]);
      const queue = run.results.checkers.find((c) => c.checker === 'queue');
      assert.equal(queue?.verdict, 'valid', JSON.stringify(queue?.details).slice(0, 1500));
      assert.ok(run.history.some((e) => e.f === 'drain' && e.type === 'ok'), 'the final drain completed');
      // Every recipe here promises FIFO order (one list under compare-and-set; a Redis list).
      const fifo = run.results.checkers.find((c) => c.checker === 'queue-fifo');
      assert.equal(fifo?.verdict, 'valid', JSON.stringify(fifo?.details).slice(0, 1500));
      const details = fifo!.details as { checked: number; overtaking: number };
      assert.equal(details.overtaking, 0);
      assert.ok(details.checked >= 20, `order judged for ${details.checked} elements only`);
      console.log(`${system} queue: ${JSON.stringify(queue!.details).slice(0, 200)} fifo: ${details.checked} elements judged`);
    });
  }
});
