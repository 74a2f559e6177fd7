import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_KINDS } from '../../nemesis/kinds.js';
import { FAKETIME_FILE } from '../../nemesis/clock.js';
import { faultlineQdiscs } from '../../nemesis/packet.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * `--nemesis all` mixes every fault kind in one schedule; whatever is in effect at the end is
 * healed: no iptables rule, no stopped process (checked by runAndInspect), no qdisc, no fake
 * clock left on any node. No verdict is asserted.
 */
describe('--nemesis all', () => {
  it('runs a combined schedule on redis and heals everything', async () => {
    const run = await runAndInspect(
      [
        '--system', 'redis', '--workload', 'lock-rmw', '--nemesis', 'all', '--lock-ttl', '1', '--client-pause', '1.5', '--clock-skew', '5',
        '--nemesis-interval', '1', '--nodes', '3', '--concurrency', '4', '--time-limit', '20', '--op-timeout', '2', '--settle', '2', '--seed', '11',
      ],
      async (node) => {
        assert.deepEqual(await faultlineQdiscs(node), [], `${node.name} still has a qdisc`);
        const clock = await node.exec(['sh', '-c', `test -e ${FAKETIME_FILE} && echo left || true`]);
        assert.equal(clock.stdout.trim(), '', `${node.name} still has a fake clock`);
      },
    );
    assert.ok([0, 1, 2].includes(run.exitCode), run.stderr.slice(-1000));
    const started = ALL_KINDS.filter((k) => faultEvents(run.history, `start-${k}`).length > 0);
    assert.ok(started.length >= 4, `only ${started.join(', ')} started`);
    const heal = faultEvents(run.history, 'heal-all');
    assert.equal(heal.length, 1);
    assert.equal(heal[0]?.error, undefined, 'healing succeeded');
    const healed = (heal[0]?.value as { fault: string }[]).map((r) => r.fault).sort();
    // Redis has no runtime membership change: `all` skips member (and says so in the plan).
    assert.deepEqual(healed, ALL_KINDS.filter((k) => k !== 'member').sort());
  });
});
