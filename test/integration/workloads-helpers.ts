import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../../src/history/event.js';
import { HEAL_ALL } from '../../src/runner/run.js';
import { type CliRun, faultEvents, runAndInspect } from './run-helpers.js';

/**
 * A short run of the set or append workload on a 3-node cluster under `nemesis`, asserting
 * what holds whatever the verdict: a well-formed history (runAndInspect), the workload's
 * checkers ran on it, the faults are in it, and they were healed. Verdicts are asserted by
 * the callers, where the system's documentation promises one.
 */
export async function workloadRun(system: string, workload: 'set' | 'append', nemesis: string, extra: readonly string[] = []): Promise<CliRun> {
  const run = await runAndInspect([
    '--system', system, '--workload', workload, '--nemesis', nemesis, '--nemesis-interval', '3',
    '--nodes', '3', '--concurrency', '6', '--time-limit', '12', '--op-timeout', '2', '--settle', '3', '--seed', '17', ...extra,
  ]);
  assert.ok([0, 1, 2].includes(run.exitCode), `exit ${run.exitCode}: ${run.stderr.slice(-1000)}`);
  const expected = workload === 'set' ? ['set', 'set-reads'] : ['transactions'];
  assert.deepEqual(run.results.checkers.map((c) => c.checker), expected);
  assert.ok(faultEvents(run.history, `start-${nemesis}`).length > 0, `no ${nemesis} fault in the history`);
  assert.equal(faultEvents(run.history, HEAL_ALL).length, 1);
  if (workload === 'append') {
    const txns = run.history.filter((e) => e.f === 'txn' && e.type === 'ok');
    assert.ok(txns.length > 0, 'some transaction committed');
    const stats = details(run, 'transactions')['stats'] as { transactions: number };
    assert.equal(stats.transactions, run.history.filter((e) => e.f === 'txn' && e.type === 'invoke').length, 'the txn checker saw every transaction');
  } else {
    assert.ok(run.history.some((e) => e.f === 'add' && e.type === 'ok'), 'some add was acknowledged');
    assert.equal(run.results.finalPhase, 'ran');
    assert.ok(run.history.some((e) => e.f === 'final-read' && e.type === 'ok'), 'the final read completed');
  }
  return run;
}

export function details(run: CliRun, checker: string): { [k: string]: Json } {
  const c = run.results.checkers.find((x) => x.checker === checker);
  assert.ok(c !== undefined, `no ${checker} result`);
  return c.details as { [k: string]: Json };
}

export function verdictOf(run: CliRun, checker: string): string {
  return run.results.checkers.find((x) => x.checker === checker)?.verdict ?? 'missing';
}

/** The checker's verdict, with its explanation when it is not the one expected. */
export function assertVerdict(run: CliRun, checker: string, expected: string): void {
  assert.equal(verdictOf(run, checker), expected, JSON.stringify(details(run, checker)).slice(0, 2000));
}

/**
 * The two runs every system gets: set under `setNemesis` (nothing lost; reads of the set in
 * real-time order too when `setReadsValid`), and append under partitions (valid against the
 * system's documented default model).
 */
export function workloadSuite(system: string, setNemesis: 'kill' | 'partition', setReadsValid: boolean): void {
  // The two runs side by side: separate clusters, stores and names, and verdicts that do not
  // depend on speed (a slower run has fewer operations, not different answers); each run is
  // mostly waiting on its time limit, so the pair takes about as long as one (docs/ci.md).
  describe(`set and append workloads on ${system}`, { concurrency: 2 }, () => {
    it(`set under ${setNemesis}: nothing lost${setReadsValid ? ', reads in real-time order' : ''}`, async () => {
      const run = await workloadRun(system, 'set', setNemesis);
      assertVerdict(run, 'set', 'valid');
      if (setReadsValid) assertVerdict(run, 'set-reads', 'valid');
    });

    it('append under partitions: the documented consistency holds', async () => {
      const run = await workloadRun(system, 'append', 'partition');
      assertVerdict(run, 'transactions', 'valid');
    });
  });
}
