import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bothSettled, faultEvents, runAndInspect } from './run-helpers.js';

/**
 * A lock holder whose whole client freezes (SIGSTOP of its client process: connections,
 * heartbeats, keep-alives and timers) for longer than its lease loses the lock to the next
 * contender, and both are inside their critical sections at once — on every system, since
 * every lock here is a lease (Redis `SET PX`, an etcd lease, a Consul session, a ZooKeeper
 * session). The same schedule against a counter that refuses stale fencing tokens loses
 * nothing. Each system's shortest lease: Redis 1 s, etcd 2 s, ZooKeeper 4 s (2 ticks),
 * Consul 10 s (which it may take twice as long to expire).
 */
const cases = [
  { system: 'redis', ttl: 1, pause: 3, time: 12 },
  { system: 'etcd', ttl: 2, pause: 5, time: 14 },
  { system: 'zookeeper', ttl: 4, pause: 10, time: 20 },
  { system: 'consul', ttl: 10, pause: 25, time: 34 },
];

const args = (c: (typeof cases)[number], workload: string): string[] => [
  '--system', c.system, '--workload', workload, '--nemesis', 'client-pause', '--lock-ttl', String(c.ttl), '--client-pause', String(c.pause),
  '--nemesis-interval', '2', '--nodes', '3', '--concurrency', '4', '--time-limit', String(c.time), '--op-interval', '50', '--settle', '1', '--seed', '7', '--min-ok', '10',
];

/**
 * Each system's two runs go side by side (two clusters, eight client processes): the plain
 * run's invalid verdict comes from a SIGSTOP longer than the lease, not from a race that a
 * slower run could miss (the pause lasts 2.5–3× the lease whatever the load), and the fenced
 * run's valid one holds at any speed. In sequence this file took ~5.3 min; side by side at
 * load 21 it once failed to start its client processes, which a fixed 30 s start limit
 * mistook for a broken child (see client-host-start.ts): the limit is now on progress.
 */
describe('a frozen lock holder', () => {
  for (const c of cases) {
    it(`${c.system}: a freeze longer than the lease breaks mutual exclusion, visibly; fencing keeps the resource safe`, async () => {
      const [plain, fenced] = await bothSettled(runAndInspect(args(c, 'lock-rmw')), runAndInspect(args(c, 'lock-fenced')));
      const pauses = faultEvents(plain.history, 'start-client-pause').map((e) => e.value as { details?: { applied?: boolean; how?: string } });
      assert.ok(pauses.some((p) => p.details?.applied === true && /SIGSTOP/.test(p.details.how ?? '')), `no client was frozen: ${JSON.stringify(pauses)}`);
      const sections = plain.results.checkers.find((x) => x.checker === 'mutual-exclusion');
      const explanation = String((sections?.details as { explanation?: string } | undefined)?.explanation);
      assert.equal(sections?.verdict, 'invalid', explanation);
      assert.match(explanation, /held the lock from .* meanwhile p\d+ .*acquired it .* so both were inside .*client-pause process/);
      assert.equal(plain.exitCode, 1);

      const resource = fenced.results.checkers.find((x) => x.checker === 'fenced-resource');
      assert.equal(resource?.verdict, 'valid', JSON.stringify(resource?.details).slice(0, 1500));
      assert.equal(fenced.results.verdict, 'valid');
      assert.equal(fenced.exitCode, 0);
    });
  }
});
