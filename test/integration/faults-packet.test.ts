import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultlineQdiscs } from '../../nemesis/packet.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

type PacketDetails = { netem?: boolean; applied?: { netem?: string; iptablesLoss?: number; tbfRateKbit?: number }; notApplied?: { what: string; reason: string }[] };

describe('packet faults', () => {
  it('loss and delay on etcd: netem where the kernel has it, otherwise iptables loss and a statement of what was not applied', async () => {
    const run = await runAndInspect(
      [
        '--system', 'etcd', '--workload', 'register', '--nemesis', 'packet', '--packet-loss', '0.3', '--packet-delay', '50', '--packet-rate', '5000',
        '--nemesis-interval', '3', '--nodes', '3', '--concurrency', '4', '--time-limit', '12', '--op-timeout', '2', '--settle', '1', '--seed', '4',
      ],
      async (node) => assert.deepEqual(await faultlineQdiscs(node), [], `${node.name} still has a faultline qdisc`),
    );
    const starts = faultEvents(run.history, 'start-packet').map((e) => (e.value as { details?: PacketDetails }).details ?? {});
    assert.ok(starts.length >= 1);
    for (const d of starts) {
      if (d.netem === true) {
        assert.match(d.applied?.netem ?? '', /delay 50ms.*loss 30%/);
        assert.deepEqual(d.notApplied, []);
      } else {
        assert.equal(d.applied?.iptablesLoss, 0.3);
        assert.equal(d.applied?.tbfRateKbit, 5000);
        assert.ok(d.notApplied?.some((n) => n.what === 'delay 50ms' && n.reason.includes('netem')), JSON.stringify(d.notApplied));
      }
    }
    assert.ok([0, 1, 2].includes(run.exitCode), run.stderr.slice(-1000));
  });
});
