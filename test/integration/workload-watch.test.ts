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
  it('etcd (two clusters at once): every watch window ordered, atomic and complete, and register-watched settles unknown writes, under partition and kill', async () => {
    // Side by side: one run's worth of wall time for both (etcd is light; the two ran ~40 s each one after the other).
    const common = ['--system', 'etcd', '--nemesis', 'partition,kill', '--nemesis-interval', '3', '--nodes', '3', '--concurrency', '6', '--op-timeout', '2', '--settle', '2', '--seed', '5', '--min-ok', '20'];
    const [run, registered] = await Promise.all([
      runAndInspect([...common, '--workload', 'watch', '--time-limit', '14']),
      runAndInspect([...common, '--workload', 'register-watched', '--time-limit', '10']),
    ]);
    const watch = run.results.checkers.find((c) => c.checker === 'watch');
    assert.equal(watch?.verdict, 'valid', JSON.stringify(watch?.details).slice(0, 1500));
    const details = watch?.details as { windows: number; events: number; puts: { ok: number } };
    assert.ok(details.windows > 10 && details.events > details.puts.ok, JSON.stringify(details).slice(0, 300));
    assert.ok(run.history.some((e) => e.f === 'watch' && e.type === 'ok' && (e.value as { from?: number }).from === 1), 'the final replay from revision 1 completed');
    assert.ok(faultEvents(run.history, 'start-partition').length + faultEvents(run.history, 'start-kill').length > 0, 'faults were applied');

    const lin = registered.results.checkers.find((c) => c.checker === 'linearizable');
    assert.equal(lin?.verdict, 'valid', JSON.stringify(lin?.details).slice(0, 1500));
    const settled = (lin?.details as { streamSettled: { infoWrites: number; happened: number; didNotHappen: number; completeReplay: boolean } }).streamSettled;
    assert.equal(settled.completeReplay, true, JSON.stringify(settled));
    assert.ok(settled.infoWrites === 0 || settled.happened + settled.didNotHappen > 0, JSON.stringify(settled));
    assert.ok(faultEvents(registered.history, 'start-kill').length + faultEvents(registered.history, 'start-partition').length > 0, 'faults were applied');
  });

  it('zookeeper and consul (at once): valid runs under partition and kill; consul ?stale blocking queries caught serving stale state', async () => {
    // Three clusters side by side: one run's worth of wall time for all. ZooKeeper's seed and
    // length are the ones measured valid (docs/workloads.md: 128 ok operations): a run whose
    // partition isolates ZooKeeper's leader, or bridges two nodes while a third is killed, loses
    // ~10 s of availability to it (syncLimit × tickTime), and under 12 s that left fewer than the
    // default --min-ok of 50 (seed 4: 10 of 86) — an honest unknown that proves nothing here.
    // Consul's partitions cut one node off (isolate-leader drawn right after a kill of the
    // leader finds none and is recorded as not applied, which would leave the run unknown);
    // seed 3 at 10 s was measured valid (84 ok). Seed 5 at 8 s killed n3 and then isolated n2:
    // no majority for 6 s, 38 of 77 ok — Consul's availability, not a fault of the test.
    // --min-ok 20, not the default 50: a watch window is one operation but many checked reads
    // (~5 on Consul, ~15 on ZooKeeper), so 20 ok operations with ≥ 5 windows is already ≥ 25
    // reads checked against the puts (asserted below). On this
    // shared machine (load 15–18) the same seeds gave 61–128 ok ZooKeeper operations and 27–84
    // Consul ones: a kill and a partition that overlap leave no majority for seconds.
    const watch = ['--workload', 'watch', '--nodes', '3', '--concurrency', '6', '--op-timeout', '2', '--nemesis-interval', '3', '--min-ok', '20'];
    const consulShapes = ['--partition', 'random-halves,isolate-one'];
    const [zk, consul, stale] = await Promise.all([
      runAndInspect([...watch, '--system', 'zookeeper', '--nemesis', 'partition,kill', '--time-limit', '12', '--settle', '2', '--seed', '2']),
      runAndInspect([...watch, ...consulShapes, '--system', 'consul', '--nemesis', 'partition,kill', '--time-limit', '10', '--settle', '1', '--seed', '3']),
      runAndInspect([...watch, ...consulShapes, '--system', 'consul', '--read-mode', 'stale', '--nemesis', 'partition', '--time-limit', '6', '--settle', '1', '--seed', '7']),
    ]);
    for (const [system, run] of [['zookeeper', zk], ['consul', consul]] as const) {
      const check = run.results.checkers.find((c) => c.checker === 'watch');
      // The whole run, not only its checker: enough operations succeeded and every fault asked for was applied.
      assert.equal(run.results.verdict, 'valid', `${system}: ${JSON.stringify((run.results as { verdictReasons?: unknown }).verdictReasons)} ${JSON.stringify(check?.details).slice(0, 1500)}`);
      const details = check?.details as { system: string; windows: number; reads: number; notifications: number; puts: { ok: number } };
      assert.equal(details.system, system);
      assert.ok(details.windows >= 5 && details.reads >= 25 && details.puts.ok >= 10, `${system}: ${JSON.stringify(details).slice(0, 300)}`);
      if (system === 'zookeeper') assert.ok(details.notifications > 0, 'some watch fired');
      assert.ok(faultEvents(run.history, 'start-partition').length > 0 && faultEvents(run.history, 'start-kill').length > 0, `${system}: both faults were applied`);
    }
    // The known-unsafe mode (the canary stale-blocking-queries in examples/canaries.yaml): a follower's own copy lags what was
    // acknowledged — mostly while a partition cuts it off, but at load 19 one lagged a put acknowledged through itself with no fault.
    assert.equal(stale.results.verdict, 'invalid', JSON.stringify(stale.results.checkers).slice(0, 1500));
    const caught = stale.results.checkers.find((c) => c.checker === 'watch')?.details as { counts: { stale?: number }; explanation: string };
    assert.ok((caught.counts.stale ?? 0) > 0, JSON.stringify(caught.counts));
    assert.match(
      caught.explanation,
      /^the \?stale blocking queries by p\d+ \(n\d\) \(history index \d+, [\d.]+ s–[\d.]+ s\) read k\d=\S+ at revision \d+ in a query sent at [\d.]+ s or later, after the put of .+ by p\d+ \(n\d\) \(history index \d+, acknowledged at revision \d+\) had returned \([\d.]+ s\); (faults in effect: partition |no fault was in effect)/,
    );
  });

  it('redis: unsupported, said before anything starts', async () => {
    const r = await runCli('run', '--system', 'redis', '--workload', 'watch', '--time-limit', '5');
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /redis cannot run the watch workload/);
    assert.doesNotMatch(r.err + r.out, /creating \d+ nodes/);
  });
});
