import assert from 'node:assert/strict';
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
    assert.equal(await withoutRefusedFaults(p, refusing({})), p);
  });

  it('under `all`, a refused kind is skipped and said why, like a system refusal', async () => {
    const p = await plan(['all']);
    assert.ok(p.nemesis.kinds.includes('clock'), 'Redis can take clock faults');
    const q = await withoutRefusedFaults(p, refusing({ clock: 'hosts share a kernel' }));
    assert.deepEqual(q.nemesis.kinds, p.nemesis.kinds.filter((k) => k !== 'clock'));
    assert.deepEqual(q.skippedFaults, [...p.skippedFaults, 'clock: hosts share a kernel']);
  });
});
