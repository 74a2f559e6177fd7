import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../../src/history/event.js';
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

  // etcd and Consul (Go, through the vDSO): faults-clock-go.test.ts.
});
