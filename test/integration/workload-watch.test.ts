import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * etcd's watch under partitions and kills: windows that resume from a revision on whichever
 * node they reach, and a final replay of everything, hold to etcd's guarantees (ordered,
 * atomic, reliable, nothing from nowhere or the future); ZooKeeper's re-registered one-shot
 * watches and Consul's blocking queries hold to theirs (src/checker/watch/state.ts). Redis,
 * with neither, says so before anything starts.
 */
describe('watch workload', () => {
  it('etcd: every window ordered, atomic and complete under partition and kill', async () => {
    const run = await runAndInspect([
      '--system', 'etcd', '--workload', 'watch', '--nemesis', 'partition,kill', '--nemesis-interval', '3',
      '--nodes', '3', '--concurrency', '6', '--time-limit', '14', '--op-timeout', '2', '--settle', '2', '--seed', '5', '--min-ok', '20',
    ]);
    const watch = run.results.checkers.find((c) => c.checker === 'watch');
    assert.equal(watch?.verdict, 'valid', JSON.stringify(watch?.details).slice(0, 1500));
    const details = watch?.details as { windows: number; events: number; puts: { ok: number } };
    assert.ok(details.windows > 10 && details.events > details.puts.ok, JSON.stringify(details).slice(0, 300));
    assert.ok(run.history.some((e) => e.f === 'watch' && e.type === 'ok' && (e.value as { from?: number }).from === 1), 'the final replay from revision 1 completed');
    assert.ok(faultEvents(run.history, 'start-partition').length + faultEvents(run.history, 'start-kill').length > 0, 'faults were applied');
  });

  it('zookeeper and consul (at once): watches re-registered and blocking queries hold what each promises under partition and kill', async () => {
    // Two clusters side by side: one run's worth of wall time for both.
    const runs = await Promise.all(
      ['zookeeper', 'consul'].map((system) =>
        runAndInspect([
          '--system', system, '--workload', 'watch', '--nemesis', 'partition,kill', '--nemesis-interval', '3',
          '--nodes', '3', '--concurrency', '6', '--time-limit', '8', '--op-timeout', '2', '--settle', '2', '--seed', '5', '--min-ok', '10',
        ]),
      ),
    );
    for (const [i, run] of runs.entries()) {
      const system = i === 0 ? 'zookeeper' : 'consul';
      const watch = run.results.checkers.find((c) => c.checker === 'watch');
      assert.equal(watch?.verdict, 'valid', `${system}: ${JSON.stringify(watch?.details).slice(0, 1500)}`);
      const details = watch?.details as { system: string; windows: number; reads: number; notifications: number; puts: { ok: number } };
      assert.equal(details.system, system);
      assert.ok(details.windows >= 3 && details.reads > details.windows, `${system}: ${JSON.stringify(details).slice(0, 300)}`);
      if (system === 'zookeeper') assert.ok(details.notifications > 0, 'some watch fired');
      assert.ok(faultEvents(run.history, 'start-partition').length + faultEvents(run.history, 'start-kill').length > 0, `${system}: faults were applied`);
    }
  });

  it('etcd register-watched: writes of unknown outcome settled through the change stream, still linearizable', async () => {
    const run = await runAndInspect([
      '--system', 'etcd', '--workload', 'register-watched', '--nemesis', 'partition,kill', '--nemesis-interval', '3',
      '--nodes', '3', '--concurrency', '6', '--time-limit', '10', '--op-timeout', '2', '--settle', '2', '--seed', '5', '--min-ok', '20',
    ]);
    const lin = run.results.checkers.find((c) => c.checker === 'linearizable');
    assert.equal(lin?.verdict, 'valid', JSON.stringify(lin?.details).slice(0, 1500));
    const settled = (lin?.details as { streamSettled: { infoWrites: number; happened: number; didNotHappen: number; completeReplay: boolean } }).streamSettled;
    assert.equal(settled.completeReplay, true, JSON.stringify(settled));
    assert.ok(settled.infoWrites === 0 || settled.happened + settled.didNotHappen > 0, JSON.stringify(settled));
    assert.ok(faultEvents(run.history, 'start-kill').length + faultEvents(run.history, 'start-partition').length > 0, 'faults were applied');
  });

  it('redis: unsupported, said before anything starts', async () => {
    const r = await runCli('run', '--system', 'redis', '--workload', 'watch', '--time-limit', '5');
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /redis cannot run the watch workload/);
    assert.doesNotMatch(r.err + r.out, /creating \d+ nodes/);
  });
});
