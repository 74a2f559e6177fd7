import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../../src/history/event.js';
import { simulate } from '../../../src/generator/simulate.js';
import { eachProcess } from '../../../src/generator/routing.js';
import { DefiniteFailure } from '../../../src/runner/outcome.js';
import { COUNTER_KEY, LOCK_NAME, checkLostUpdates, lockCycle, lockRmwWorkload, lockWorkload } from '../../../workloads/lock.js';
import { MemoryStore, OPTIONS, runAgainst } from './memory-capabilities.js';

const call = { signal: new AbortController().signal };

describe('lock workload', () => {
  it('maps acquire, release and rmw onto the capabilities', async () => {
    const store = new MemoryStore();
    const caps = store.capabilities('n1');
    const acquired = await lockWorkload.invoke(caps, { f: 'acquire', value: null, key: LOCK_NAME }, call, OPTIONS);
    assert.equal(acquired.type, 'ok');
    const token = acquired.type === 'ok' ? acquired.value : null;
    await assert.rejects(lockWorkload.invoke(caps, { f: 'acquire', value: null, key: LOCK_NAME }, call, OPTIONS), DefiniteFailure);
    assert.deepEqual(await lockRmwWorkload.invoke(caps, { f: 'rmw', value: null, key: COUNTER_KEY }, call, OPTIONS), { type: 'ok', value: [0, 1] });
    assert.deepEqual(await lockRmwWorkload.invoke(caps, { f: 'rmw', value: null, key: COUNTER_KEY }, call, OPTIONS), { type: 'ok', value: [1, 2] });
    assert.deepEqual(await lockWorkload.invoke(caps, { f: 'release', value: token, key: LOCK_NAME }, call, OPTIONS), { type: 'ok', value: token });
    assert.deepEqual(await lockWorkload.invoke(caps, { f: 'release', value: token, key: LOCK_NAME }, call, OPTIONS), { type: 'fail', error: 'not-held' });
  });

  it('each process acquires, (rmw,) releases with the token it got, in that order', () => {
    let n = 0;
    const history = simulate(eachProcess(lockCycle(true, 5)), {
      concurrency: 3,
      seed: 3,
      maxOps: 60,
      outcome: (op) => (op.f === 'acquire' ? { type: 'ok', value: `t${++n}` } : { type: 'ok', value: op.value }),
    });
    const byProcess = new Map<number, HistoryEvent[]>();
    for (const e of history) if (e.type === 'ok' && typeof e.process === 'number') byProcess.set(e.process, [...(byProcess.get(e.process) ?? []), e]);
    assert.equal(byProcess.size, 3);
    for (const events of byProcess.values()) {
      events.forEach((e, i) => assert.equal(e.f, ['acquire', 'rmw', 'release'][i % 3]));
      // The release's value is its token: the one this process's acquire returned.
      for (let i = 2; i < events.length; i += 3) assert.equal(events[i]!.value, events[i - 2]!.value);
    }
  });

  it('is valid against a lock that excludes, and invalid against one that does not', async () => {
    const good = await lockRmwWorkload.check((await runAgainst(lockRmwWorkload, new MemoryStore())).history, OPTIONS);
    assert.deepEqual(good.map((c) => [c.checker, c.verdict]), [['mutex', 'valid'], ['lost-updates', 'valid']]);
    const broken = await lockRmwWorkload.check((await runAgainst(lockRmwWorkload, new MemoryStore({ brokenLock: true }))).history, OPTIONS);
    assert.deepEqual(broken.map((c) => [c.checker, c.verdict]), [['mutex', 'invalid'], ['lost-updates', 'invalid']]);
  });

  it('lost-updates: duplicate reads and a short final counter are invalid; no final read is unknown', () => {
    const ev = (index: number, f: string, value: unknown): HistoryEvent => ({ index, time: index, process: index, type: 'ok', f, key: COUNTER_KEY, value: value as HistoryEvent['value'] });
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1]), ev(1, 'rmw', [1, 2]), ev(2, 'read', 2)]).verdict, 'valid');
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1]), ev(1, 'rmw', [0, 1]), ev(2, 'read', 1)]).verdict, 'invalid');
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1]), ev(1, 'rmw', [1, 2]), ev(2, 'read', 1)]).verdict, 'invalid');
    assert.equal(checkLostUpdates([ev(0, 'rmw', [0, 1])]).verdict, 'unknown');
  });
});
