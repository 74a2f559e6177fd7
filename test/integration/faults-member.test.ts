import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../../src/cluster/node.js';
import type { HistoryEvent } from '../../src/history/event.js';
import { type CliRun, faultEvents, runAndInspect } from './run-helpers.js';

/** Removals that really happened, and what was added back by stop-member or heal. */
function membership(history: readonly HistoryEvent[]): { removed: string[]; added: string[] } {
  const targets = (e: HistoryEvent): string[] => {
    const v = e.value as { fault?: string; targets?: string[] } | { fault?: string; targets?: string[] }[];
    const all = Array.isArray(v) ? v : [v];
    return all.filter((x) => x.fault === 'member').flatMap((x) => x.targets ?? []);
  };
  return {
    removed: faultEvents(history, 'start-member').flatMap(targets),
    added: [...faultEvents(history, 'stop-member'), ...faultEvents(history, 'heal-all')].flatMap(targets),
  };
}

function assertMembershipRun(run: CliRun): void {
  assert.equal(run.exitCode, 0, `${run.results.verdict}: ${run.stderr.slice(-1500)}`);
  const { removed, added } = membership(run.history);
  assert.ok(removed.length >= 1, 'at least one member was really removed');
  assert.deepEqual([...added].sort(), [...removed].sort(), 'every removed member was added back');
}

/**
 * The member fault on the systems that can change membership at runtime: registers stay
 * linearizable while a member leaves and rejoins, and every node
 * is a member again at the end.
 */
// Two runs side by side (separate clusters; a valid verdict does not depend on speed: a slower
// run has fewer operations, not different answers), so the three take about as long as two (docs/ci.md).
describe('--nemesis member', { concurrency: 2 }, () => {
  it('etcd: member remove / add from empty data', async () => {
    const run = await runAndInspect(
      ['--system', 'etcd', '--workload', 'register', '--nemesis', 'member', '--nemesis-interval', '3', '--time-limit', '20', '--seed', '5'],
      async (node: Node) => {
        const list = await node.exec(['etcdctl', 'member', 'list'], { env: { ETCDCTL_API: '3' } });
        assert.equal(list.stdout.trim().split('\n').filter((l) => l.includes(', started, ')).length, 3, `${node.name}: ${list.stdout}`);
      },
    );
    assertMembershipRun(run);
  });

  it('consul: leave and rejoin', async () => {
    const run = await runAndInspect(
      ['--system', 'consul', '--workload', 'register', '--nemesis', 'member', '--nemesis-interval', '3', '--time-limit', '20', '--seed', '5'],
      async (node: Node) => {
        const members = await node.exec(['consul', 'members']);
        assert.equal(members.stdout.split('\n').filter((l) => /\balive\b.*\bserver\b/.test(l)).length, 3, `${node.name}: ${members.stdout}`);
      },
    );
    assertMembershipRun(run);
  });

  it('zookeeper: reconfig -remove / -add', async () => {
    const run = await runAndInspect(
      ['--system', 'zookeeper', '--workload', 'register', '--nemesis', 'member', '--nemesis-interval', '3', '--time-limit', '20', '--seed', '5'],
      async (node: Node) => {
        const config = await node.exec(['sh', '-c', '/usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:2181 config 2>/dev/null']);
        assert.equal(config.stdout.split('\n').filter((l) => /^server\.\d+=.*participant/.test(l)).length, 3, `${node.name}: ${config.stdout}`);
      },
    );
    assertMembershipRun(run);
  });
});
