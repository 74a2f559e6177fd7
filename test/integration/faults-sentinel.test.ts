import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { faultEvents, runAndInspect } from './run-helpers.js';

/**
 * Redis with Sentinel comes up healthy (the run starts only then), and pausing the primary
 * for longer than `down-after-milliseconds` (3 s) makes the sentinels promote a replica:
 * Sentinel logs `+switch-master` when it does. No verdict is asserted: replication is
 * asynchronous, and Redis documents that acknowledged writes can be lost in a failover.
 */
describe('redis with sentinel', () => {
  it('a paused primary is failed over', async () => {
    const run = await runAndInspect([
      '--system', 'redis', '--redis-sentinel', '--workload', 'register', '--nemesis', 'pause', '--targets', 'leader',
      '--nemesis-interval', '8', '--nodes', '3', '--concurrency', '4', '--time-limit', '20', '--op-timeout', '2', '--settle', '3', '--seed', '1',
    ]);
    assert.ok([0, 1, 2].includes(run.exitCode), run.stderr.slice(-1000));
    const paused = faultEvents(run.history, 'start-pause').filter((e) => JSON.stringify(e.value).includes('"active":true'));
    assert.ok(paused.length >= 1, 'the primary was paused');
    const logs = await Promise.all(['n1', 'n2', 'n3'].map((n) => readFile(join(run.runDir, 'nodes', n, 'sentinel.log'), 'utf8')));
    assert.ok(logs.some((l) => /\+switch-master mymaster \S+ 6379 \S+ 6379/.test(l)), 'a sentinel switched the master');
    assert.ok(run.history.some((e) => e.type === 'ok' && typeof e.process === 'number' && e.time > (paused[0]?.time ?? 0) + 6e9), 'operations succeed after the failover');
  });

  it('--redis-wait sends WAIT after every acknowledged write', async () => {
    const waits: number[] = [];
    const run = await runAndInspect(
      ['--system', 'redis', '--redis-sentinel', '--redis-wait', '2', '--workload', 'register', '--nodes', '3', '--concurrency', '4', '--time-limit', '6', '--seed', '2'],
      async (node) => {
        const stats = await node.exec(['redis-cli', 'info', 'commandstats']);
        waits.push(Number(/cmdstat_wait:calls=(\d+)/.exec(stats.stdout)?.[1] ?? 0));
      },
    );
    const acknowledged = run.history.filter((e) => e.type === 'ok' && (e.f === 'write' || e.f === 'cas')).length;
    assert.ok(acknowledged > 0);
    // WAIT runs on the primary (n1 without faults), once per write and per successful CAS.
    assert.ok((waits[0] ?? 0) >= acknowledged, `${waits[0]} WAIT calls for ${acknowledged} acknowledged writes`);
    assert.ok(!run.history.some((e) => typeof e.error === 'string' && e.error.startsWith('WAIT')), 'every replica acknowledged while none was faulted');
  });
});
