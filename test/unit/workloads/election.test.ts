import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../../src/history/event.js';
import { simulate } from '../../../src/generator/simulate.js';
import { eachProcess } from '../../../src/generator/routing.js';
import { ELECTION_NAME, electionCycle, electionWorkload } from '../../../workloads/election.js';
import { MemoryStore, OPTIONS, runAgainst } from './memory-capabilities.js';

const call = { signal: new AbortController().signal };

describe('election workload', () => {
  it('maps campaign, observe and resign onto the capability; a second resign finds the term lost', async () => {
    const caps = new MemoryStore().capabilities('n1');
    const won = await electionWorkload.invoke(caps, { f: 'campaign', value: 'p0.0', key: ELECTION_NAME }, call, OPTIONS);
    assert.deepEqual(won, { type: 'ok', value: { leader: 'p0.0', term: 't1' } });
    assert.deepEqual(await electionWorkload.invoke(caps, { f: 'observe', value: null, key: ELECTION_NAME }, call, OPTIONS), { type: 'ok', value: { leader: 'p0.0', term: 't1' } });
    const resign = { f: 'resign', value: { leader: 'p0.0', term: 't1' }, key: ELECTION_NAME };
    assert.deepEqual(await electionWorkload.invoke(caps, resign, call, OPTIONS), { type: 'ok', value: { term: 't1', lost: false } });
    assert.deepEqual(await electionWorkload.invoke(caps, resign, call, OPTIONS), { type: 'ok', value: { term: 't1', lost: true } });
    assert.deepEqual(await electionWorkload.invoke(caps, { f: 'observe', value: null, key: ELECTION_NAME }, call, OPTIONS), { type: 'ok', value: null });
    assert.deepEqual(await electionWorkload.invoke(caps, { f: 'resign', value: 'nonsense', key: ELECTION_NAME }, call, OPTIONS), { type: 'fail', error: 'no-term' });
  });

  it('a leader resigns the term its campaign won, and each campaign proposes a fresh candidate', () => {
    let n = 0;
    const history = simulate(eachProcess(electionCycle(5)), {
      concurrency: 3,
      seed: 5,
      maxOps: 90,
      outcome: (op) => (op.f === 'campaign' ? { type: 'ok', value: { leader: op.value as string, term: `t${++n}` } } : { type: 'ok', value: null }),
    });
    const candidates = history.filter((e) => e.type === 'invoke' && e.f === 'campaign').map((e) => e.value);
    assert.equal(new Set(candidates).size, candidates.length);
    const byProcess = new Map<number, HistoryEvent[]>();
    for (const e of history) if (e.type === 'invoke' && typeof e.process === 'number') byProcess.set(e.process, [...(byProcess.get(e.process) ?? []), e]);
    const won = new Map(history.filter((e) => e.type === 'ok' && e.f === 'campaign').map((e) => [(e.value as { leader: string }).leader, e.value]));
    for (const events of byProcess.values()) {
      events.forEach((e, i) => {
        if (e.f === 'resign') assert.deepEqual(e.value, won.get(events[i - 1]!.value as string), 'resigns what the campaign just before won');
        else if (i > 0 && events[i - 1]!.f === 'campaign') assert.equal(e.f, 'resign', 'a leader resigns next');
      });
    }
  });

  it('is valid against an election that keeps one leader, invalid against one that crowns two or observes stale', async () => {
    const verdicts = async (store: MemoryStore) =>
      (await electionWorkload.check((await runAgainst(electionWorkload, store, 400)).history, OPTIONS)).map((c) => [c.checker, c.verdict]);
    assert.deepEqual(await verdicts(new MemoryStore()), [['single-leader', 'valid'], ['observed-leader', 'valid'], ['term-identity', 'valid']]);
    assert.deepEqual((await verdicts(new MemoryStore({ brokenElection: true })))[0], ['single-leader', 'invalid']);
    assert.deepEqual((await verdicts(new MemoryStore({ staleObserve: true })))[1], ['observed-leader', 'invalid']);
  });
});
