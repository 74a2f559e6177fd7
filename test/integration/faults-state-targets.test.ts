import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent, Json } from '../../src/history/event.js';
import { cliExit } from './cli-process.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

/** Every `aim` record the nemesis completions carry (starts, stops, heal). */
function aims(history: readonly HistoryEvent[]): { f: string; aim: Record<string, Json> }[] {
  const out: { f: string; aim: Record<string, Json> }[] = [];
  for (const e of history) {
    if (e.process !== 'nemesis' || e.type === 'invoke') continue;
    for (const v of Array.isArray(e.value) ? e.value : [e.value]) {
      const details = (v as { details?: { aim?: Record<string, Json> } } | null)?.details;
      if (details?.aim !== undefined) out.push({ f: e.f, aim: details.aim });
    }
  }
  return out;
}

/**
 * A fault aimed at a state, on a real etcd cluster in one short run: a follower cut off until
 * it needs a snapshot (--etcd-snapshot-count 100; filler entries make up what the workload
 * does not write). The start records what it aimed at; the stop records the evidence — and
 * "reached" only with it. (leader-lease is judged both ways in the unit tests; its real runs
 * are in docs/faults.md: one cluster run per test keeps this under a minute.)
 */
describe('--targets aimed at a state', () => {
  it('etcd: lagging-follower gets a snapshot after healing, seen in its metrics', async () => {
    const run = await runAndInspect([
      '--system', 'etcd', '--workload', 'register', '--nemesis', 'partition', '--targets', 'lagging-follower',
      '--etcd-snapshot-count', '100', '--nemesis-interval', '1', '--time-limit', '6', '--concurrency', '5',
      '--settle', '1', '--seed', '7',
    ]);
    assert.ok([0, 1, 2].includes(run.exitCode), `exit ${run.exitCode}: ${run.stderr.slice(-1000)}`);
    assert.ok(faultEvents(run.history, 'start-partition').length >= 1, 'a lagging-follower partition was started');
    const started = aims(run.history).filter((a) => a.f === 'start-partition');
    assert.equal(started[0]?.aim['state'], 'follower cut off until it needs a snapshot to catch up');
    const ended = aims(run.history).filter((a) => a.f === 'stop-partition');
    const follower = ended.find((a) => a.aim['target'] === 'lagging-follower');
    assert.ok(follower !== undefined, `no lagging-follower evidence: ${JSON.stringify(aims(run.history))}`);
    assert.equal(follower.aim['lagNeeded'], 5100);
    assert.equal(follower.aim['reached'], true, JSON.stringify(follower.aim));
    assert.ok(Number(follower.aim['snapshotsReceivedAfter']) > Number(follower.aim['snapshotsReceivedBefore']));
  });

  it('refuses an unsupported system and target before anything starts', async () => {
    const r = await cliExit(['run', '--system', 'consul', '--workload', 'register', '--nemesis', 'partition', '--targets', 'lagging-follower']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /consul cannot take the lagging-follower target/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
