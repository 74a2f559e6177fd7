import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { NodeProvider } from '../../../src/cluster/node.js';
import { UsageError } from '../../../src/errors.js';
import { withoutRefusedFaults } from '../../../src/execute/execute.js';
import { planRun } from '../../../src/execute/plan.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';

/** A provider that only answers refuseFault (the rest is never called here). */
function refusing(kinds: Record<string, string>): NodeProvider {
  const unused = (): never => assert.fail('not called');
  return { name: 'fake', prepare: unused, shellHint: unused, create: unused, attach: unused, list: unused, destroy: unused, refuseFault: async (kind) => kinds[kind] };
}

const plan = (nemesis: string[]) => planRun(parseTestSpec({ system: 'redis', workload: 'register', nemesis, seed: 1 }));

describe("a provider's refused faults", () => {
  it('a refused kind that was named: UsageError with the reason; the others alone: the plan unchanged', async () => {
    const p = await plan(['partition', 'clock']);
    const provider = refusing({ clock: 'hosts share a kernel' });
    await assert.rejects(withoutRefusedFaults(p, provider), (e: Error) => e instanceof UsageError && e.message === 'hosts share a kernel');
    const q = await plan(['partition', 'kill']);
    assert.equal(await withoutRefusedFaults(q, provider), q);
    assert.deepEqual(await withoutRefusedFaults(p, refusing({})), { ...p, nemesis: { ...p.nemesis, clockScope: 'process' } });
  });

  it('the clock scope: the spec\'s, else the provider\'s first; a scope the provider cannot do is refused; host carries this machine\'s boot id', async () => {
    const seen: unknown[] = [];
    const ssh: NodeProvider = { ...refusing({}), clockScopes: ['host', 'process'], refuseFault: async (kind, o) => (seen.push([kind, o?.clockScope]), undefined) };
    const p = await plan(['partition', 'clock']);
    const host = await withoutRefusedFaults(p, ssh);
    assert.equal(host.nemesis.clockScope, 'host');
    assert.equal(host.nemesis.controlBootId, (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
    assert.deepEqual(seen, [['partition', 'host'], ['clock', 'host']]);
    const scoped = await planRun(parseTestSpec({ system: 'redis', workload: 'register', nemesis: ['clock'], clockScope: 'process', seed: 1 }));
    const proc = await withoutRefusedFaults(scoped, ssh);
    assert.equal(proc.nemesis.clockScope, 'process');
    assert.equal(proc.nemesis.controlBootId, undefined);
    const docker = refusing({});
    const wantsHost = await planRun(parseTestSpec({ system: 'redis', workload: 'register', nemesis: ['clock'], clockScope: 'host', seed: 1 }));
    await assert.rejects(withoutRefusedFaults(wantsHost, docker), (e: Error) => e instanceof UsageError && /--clock-scope host: the fake provider's nodes cannot have their own clocks set/.test(e.message) && e.hint === 'use --clock-scope process');
    // A host clock refused on SSH points at the process scope.
    const sshSharing: NodeProvider = { ...ssh, refuseFault: async (kind, o) => (kind === 'clock' && o?.clockScope === 'host' ? 'hosts share a kernel' : undefined) };
    await assert.rejects(withoutRefusedFaults(p, sshSharing), (e: Error) => e instanceof UsageError && /--clock-scope process/.test(e.hint ?? ''));
    assert.equal((await withoutRefusedFaults(scoped, sshSharing)).nemesis.kinds.includes('clock'), true);
  });

  it('under `all`, a refused kind is skipped and said why, like a system refusal', async () => {
    const p = await plan(['all']);
    assert.ok(p.nemesis.kinds.includes('clock'), 'Redis can take clock faults');
    const q = await withoutRefusedFaults(p, refusing({ clock: 'hosts share a kernel' }));
    assert.deepEqual(q.nemesis.kinds, p.nemesis.kinds.filter((k) => k !== 'clock'));
    assert.deepEqual(q.skippedFaults, [...p.skippedFaults, 'clock: hosts share a kernel']);
  });
});
