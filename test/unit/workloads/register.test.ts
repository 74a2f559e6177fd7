import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerWorkload } from '../../../workloads/register.js';
import { MemoryStore, OPTIONS, runAgainst } from './memory-capabilities.js';

const call = { signal: new AbortController().signal };

describe('register workload', () => {
  it('maps read, write and cas onto the register capability', async () => {
    const store = new MemoryStore();
    const caps = store.capabilities('n1');
    assert.deepEqual(await registerWorkload.invoke(caps, { f: 'read', value: null, key: 3 }, call, OPTIONS), { type: 'ok', value: null });
    assert.deepEqual(await registerWorkload.invoke(caps, { f: 'write', value: 2, key: 3 }, call, OPTIONS), { type: 'ok', value: 2 });
    assert.equal(store.values.get(3), 2);
    assert.deepEqual(await registerWorkload.invoke(caps, { f: 'cas', value: [2, 4], key: 3 }, call, OPTIONS), { type: 'ok', value: [2, 4] });
    assert.equal(store.values.get(3), 4);
    assert.deepEqual(await registerWorkload.invoke(caps, { f: 'cas', value: [2, 1], key: 3 }, call, OPTIONS), { type: 'fail', error: 'cas-mismatch' });
    assert.equal(store.values.get(3), 4);
  });

  it('is valid against a linearizable store, with a final read of every key', async () => {
    const run = await runAgainst(registerWorkload, new MemoryStore());
    const keys = new Set(run.history.filter((e) => e.type === 'invoke').map((e) => e.key));
    assert.ok(keys.size >= 2, `expected several keys, got ${keys.size}`);
    const perKey = new Map<unknown, number>();
    for (const e of run.history) if (e.type === 'invoke' && e.f !== 'read') perKey.set(e.key, (perKey.get(e.key) ?? 0) + 1);
    for (const [key, n] of perKey) assert.ok(n <= OPTIONS.opsPerKey, `key ${String(key)} has ${n} writes`);
    assert.equal(run.finalPhase, 'ran');
    const [result] = await registerWorkload.check(run.history, OPTIONS);
    assert.equal(result?.checker, 'linearizable');
    assert.equal(result?.verdict, 'valid');
  });

  it('is invalid when one node serves stale reads', async () => {
    const run = await runAgainst(registerWorkload, new MemoryStore({ staleNode: 'n3' }));
    const [result] = await registerWorkload.check(run.history, OPTIONS);
    assert.equal(result?.verdict, 'invalid');
  });
});
