import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../../src/history/event.js';
import { GO_CLOCK_REASON as NOT_APPLIED_REASON } from '../../src/systems/etcd/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { planRun } from '../../src/execute/plan.js';
import { parseTestSpec } from '../../src/spec/test-spec.js';
import { cliPath } from './cluster-helpers.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

type ClockDetails = { mode?: string; offsetMs?: number; applied?: boolean; reason?: string; measuredMs?: Record<string, { offsetMs: number; uncertaintyMs: number }> };
const details = (v: Json): ClockDetails => ((v as { details?: ClockDetails }).details ?? {});

const args = (system: string): string[] => [
  '--system', system, '--workload', 'register', '--nemesis', 'clock', '--clock-skew', '30', '--nemesis-interval', '2',
  '--nodes', '3', '--concurrency', '4', '--time-limit', '10', '--settle', '1', '--seed', '3',
];

describe('clock faults', () => {
  it('redis under libfaketime: the offset each target shows is measured and matches the bump', async () => {
    const run = await runAndInspect(args('redis'), async (node) => {
      const r = await node.exec(['sh', '-c', 'test -e /run/faultline/faketime && echo left || true']);
      assert.equal(r.stdout.trim(), '', `${node.name} still has a fake clock`);
    });
    const starts = faultEvents(run.history, 'start-clock').map((e) => details(e.value));
    assert.ok(starts.length >= 1);
    for (const d of starts) {
      assert.equal(d.applied, true);
      const measured = Object.values(d.measuredMs ?? {});
      assert.ok(measured.length >= 1, 'offsets were measured');
      // libfaketime moves `TIME` at once (the timestamp file is read on every call).
      for (const m of measured) assert.ok(Math.abs(m.offsetMs - (d.offsetMs ?? 0)) <= m.uncertaintyMs + 500, `measured ${m.offsetMs} ms for a ${d.offsetMs} ms change`);
    }
  });

  it('etcd (Go) cannot have its clock moved by libfaketime: refused before anything starts, saying why; `all` leaves clock out', async () => {
    const r = await promisify(execFile)(process.execPath, [cliPath, 'run', ...args('etcd')]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code ?? -1, stderr: err.stderr ?? '' }),
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`etcd cannot take the clock fault: ${NOT_APPLIED_REASON}`));
    const plan = await planRun(parseTestSpec({ system: 'etcd', workload: 'register', nemesis: ['all'], seed: 1 }));
    assert.ok(!plan.nemesis.kinds.includes('clock'));
    assert.deepEqual(plan.skippedFaults, [`clock: ${NOT_APPLIED_REASON}`]);
  });
});
