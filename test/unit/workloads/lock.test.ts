import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../../src/history/event.js';
import { simulate } from '../../../src/generator/simulate.js';
import { eachProcess } from '../../../src/generator/routing.js';
import { DefiniteFailure } from '../../../src/runner/outcome.js';
import { COUNTER_KEY, LOCK_NAME, checkLostUpdates, lockCycle, lockFencedWorkload, lockRmwWorkload, lockWorkload } from '../../../workloads/lock.js';
import { MemoryStore, OPTIONS, runAgainst } from './memory-capabilities.js';

const call = { signal: new AbortController().signal };

describe('lock workload', () => {
  it('maps acquire, release and rmw onto the capabilities', async () => {
    const store = new MemoryStore();
    const caps = store.capabilities('n1');
    const acquired = await lockWorkload.invoke(caps, { f: 'acquire', value: null, key: LOCK_NAME }, call, OPTIONS);
    assert.deepEqual(acquired, { type: 'ok', value: { token: 't1', fence: 1 } });
    const token = 't1';
    await assert.rejects(lockWorkload.invoke(caps, { f: 'acquire', value: null, key: LOCK_NAME }, call, OPTIONS), DefiniteFailure);
    assert.deepEqual(await lockRmwWorkload.invoke(caps, { f: 'rmw', value: null, key: COUNTER_KEY }, call, OPTIONS), { type: 'ok', value: [0, 1] });
    assert.deepEqual(await lockRmwWorkload.invoke(caps, { f: 'rmw', value: null, key: COUNTER_KEY }, call, OPTIONS), { type: 'ok', value: [1, 2] });
    assert.deepEqual(await lockWorkload.invoke(caps, { f: 'release', value: token, key: LOCK_NAME }, call, OPTIONS), { type: 'ok', value: { token, lost: false } });
    // A release that finds the lock gone did not fail: the holder lost the lock before releasing.
    assert.deepEqual(await lockWorkload.invoke(caps, { f: 'release', value: token, key: LOCK_NAME }, call, OPTIONS), { type: 'ok', value: { token, lost: true } });
  });

  it('each process acquires, (rmw,) releases with the token it got, in that order', () => {
    let n = 0;
    const history = simulate(eachProcess(lockCycle(true, 5)), {
      concurrency: 3,
      seed: 3,
      maxOps: 60,
      outcome: (op) => (op.f === 'acquire' ? { type: 'ok', value: { token: `t${++n}` } } : { type: 'ok', value: op.value }),
    });
    const byProcess = new Map<number, HistoryEvent[]>();
    for (const e of history) if (e.type === 'ok' && typeof e.process === 'number') byProcess.set(e.process, [...(byProcess.get(e.process) ?? []), e]);
    assert.equal(byProcess.size, 3);
    for (const events of byProcess.values()) {
      events.forEach((e, i) => assert.equal(e.f, ['acquire', 'rmw', 'release'][i % 3]));
      // The release's value is its token: the one this process's acquire returned.
      for (let i = 2; i < events.length; i += 3) assert.equal(events[i]!.value, (events[i - 2]!.value as { token: string }).token);
    }
  });

  it('is valid against a lock that excludes, and invalid against one that does not', async () => {
    const good = await lockRmwWorkload.check((await runAgainst(lockRmwWorkload, new MemoryStore())).history, OPTIONS);
    assert.deepEqual(good.map((c) => [c.checker, c.verdict]), [['mutual-exclusion', 'valid'], ['lost-updates', 'valid']]);
    const broken = await lockRmwWorkload.check((await runAgainst(lockRmwWorkload, new MemoryStore({ brokenLock: true }))).history, OPTIONS);
    assert.deepEqual(broken.map((c) => [c.checker, c.verdict]), [['mutual-exclusion', 'invalid'], ['lost-updates', 'invalid']]);
    const fenced = await lockFencedWorkload.check((await runAgainst(lockFencedWorkload, new MemoryStore({ brokenLock: true }))).history, OPTIONS);
    // The lock grants everyone, but the fenced counter refuses all but the newest fence: no update is lost.
    assert.deepEqual(fenced.map((c) => [c.checker, c.verdict]), [['fenced-resource', 'valid']]);
    const details = fenced[0]!.details as { staleRefused: number; lock: { overlapCount: number } };
    assert.ok(details.lock.overlapCount > 0 && details.staleRefused > 0, JSON.stringify(details));
  });

  it('lost-updates: duplicate reads and a short final counter are invalid; no final read is unknown', () => {
    const ev = (index: number, f: string, value: unknown): HistoryEvent => ({ index, time: index, process: index, type: 'ok', f, key: COUNTER_KEY, value: value as HistoryEvent['value'] });
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1]), ev(1, 'rmw', [1, 2]), ev(2, 'read', 2)]).verdict, 'valid');
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1]), ev(1, 'rmw', [0, 1]), ev(2, 'read', 1)]).verdict, 'invalid');
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1]), ev(1, 'rmw', [1, 2]), ev(2, 'read', 1)]).verdict, 'invalid');
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1])]).verdict, 'unknown');
  });
});
