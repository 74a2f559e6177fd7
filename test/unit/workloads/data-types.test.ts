import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../../src/history/event.js';
import { planRun } from '../../../src/execute/plan.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';
import { builtinSystem, type SystemClient } from '../../../src/systems/index.js';
import { appendWorkload, MAX_APPENDS_PER_KEY, MAX_TXN_LENGTH } from '../../../workloads/append.js';
import { counterWorkload } from '../../../workloads/counter.js';
import { workloadNamed } from '../../../workloads/index.js';
import { setWorkload } from '../../../workloads/set.js';
import { MemoryDataStore } from './memory-data-types.js';
import { OPTIONS, runAgainst } from './memory-capabilities.js';

const completed = (h: readonly HistoryEvent[], f: string): HistoryEvent[] => h.filter((e) => e.f === f && e.type === 'ok');

describe('set workload', () => {
  it('adds unique elements, reads during the run and once after; valid against a correct set', async () => {
    const run = await runAgainst(setWorkload, new MemoryDataStore());
    const added = run.history.filter((e) => e.f === 'add' && e.type === 'invoke').map((e) => e.value);
    assert.ok(added.length > 10);
    assert.equal(new Set(added).size, added.length, 'elements are unique');
    assert.ok(completed(run.history, 'read').length > 0, 'reads during the run');
    assert.equal(completed(run.history, 'final-read').length, 1);
    const results = await setWorkload.check(run.history, OPTIONS);
    assert.deepEqual(results.map((r) => [r.checker, r.verdict]), [['set', 'valid'], ['set-reads', 'valid']]);
  });

  it('is invalid when the store loses an acknowledged element, and says how many', async () => {
    const run = await runAgainst(setWorkload, new MemoryDataStore({ loseElement: 3 }));
    const [final] = await setWorkload.check(run.history, OPTIONS);
    assert.equal(final?.verdict, 'invalid');
    assert.deepEqual((final?.details as { lost: unknown }).lost, { count: 1, elements: [3] });
  });
});

describe('counter workload', () => {
  it('valid against a correct counter, with a final read', async () => {
    const run = await runAgainst(counterWorkload, new MemoryDataStore());
    assert.ok(completed(run.history, 'add').length > 10);
    const [result] = await counterWorkload.check(run.history, OPTIONS);
    assert.equal(result?.verdict, 'valid', JSON.stringify(result?.details));
  });

  it('invalid when the store counts some increments twice', async () => {
    const run = await runAgainst(counterWorkload, new MemoryDataStore({ doubleCountEvery: 4 }));
    const [result] = await counterWorkload.check(run.history, OPTIONS);
    assert.equal(result?.verdict, 'invalid');
    assert.match(String((result?.details as { explanation: string }).explanation), /above/);
  });
});

describe('append workload', () => {
  it('records txn operations of 1–4 micro-ops with values unique per key, bounded per key', async () => {
    const run = await runAgainst(appendWorkload, new MemoryDataStore());
    const txns = run.history.filter((e) => e.type === 'invoke' && e.f === 'txn').map((e) => e.value as [string, number, unknown][]);
    assert.ok(txns.length > 10);
    const values = new Map<number, unknown[]>();
    for (const t of txns) {
      assert.ok(t.length >= 1 && t.length <= MAX_TXN_LENGTH);
      for (const [f, k, v] of t) if (f === 'append') values.set(k, [...(values.get(k) ?? []), v]);
    }
    for (const [k, vs] of values) {
      assert.equal(new Set(vs).size, vs.length, `values of key ${k} are unique`);
      assert.ok(vs.length <= MAX_APPENDS_PER_KEY);
    }
    const [result] = await appendWorkload.check(run.history, OPTIONS);
    assert.equal(result?.checker, 'transactions');
    assert.equal(result?.verdict, 'valid', JSON.stringify(result?.details).slice(0, 500));
  });

  it('is invalid (strict-serializable) when one node answers transactions from a stale copy', async () => {
    const run = await runAgainst(appendWorkload, new MemoryDataStore({ staleTxnNode: 'n2' }));
    const [result] = await appendWorkload.check(run.history, { ...OPTIONS, consistency: 'strict-serializable' });
    assert.equal(result?.verdict, 'invalid');
    assert.ok(((result?.details as { anomalies: unknown[] }).anomalies).length > 0);
  });
});

describe('registration', () => {
  const offers = (capabilities: SystemClient['capabilities']): { client: SystemClient } => ({
    client: { ...builtinSystem('etcd').client, capabilities, open: () => Promise.reject(new Error('not opened in this test')) },
  });
  const spec = (workload: string, extra: object = {}) => parseTestSpec({ system: 'etcd', workload, seed: 1, ...extra });

  it('every new workload is known by name and to the spec', () => {
    for (const name of ['set', 'append', 'counter']) assert.equal(workloadNamed(name).name, name);
  });

  it('the run plan refuses a system without the capability a workload needs, before anything starts', async () => {
    await assert.rejects(planRun(spec('set'), offers(['register'])), /cannot run the set workload: its client offers no set capability/);
    await assert.rejects(planRun(spec('append'), offers(['register'])), /no txn capability/);
    await assert.rejects(planRun(spec('counter'), offers(['register'])), /no counter capability/);
  });

  it('the consistency model defaults to what the system documents for the read mode, and --consistency overrides it', async () => {
    assert.equal((await planRun(spec('append'), offers(['txn']))).workloadOptions.consistency, 'strict-serializable');
    assert.equal((await planRun(spec('append', { readMode: 'serializable' }), offers(['txn']))).workloadOptions.consistency, 'serializable');
    assert.equal((await planRun(spec('append', { consistency: 'snapshot-isolation' }), offers(['txn']))).workloadOptions.consistency, 'snapshot-isolation');
    assert.throws(() => spec('append', { consistency: 'eventual' }), /consistency/);
    const consistency = (system: string, mode: string) => builtinSystem(system).client.readModes.find((m) => m.name === mode)?.consistency;
    assert.equal(consistency('consul', 'default'), 'serializable');
    assert.equal(consistency('zookeeper', 'nosync'), 'strict-serializable');
  });
});
