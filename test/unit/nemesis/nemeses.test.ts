import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cluster, Node } from '../../../src/cluster/node.js';
import { RandomStreams } from '../../../src/generator/random.js';
import { simulate } from '../../../src/generator/simulate.js';
import type { NemesisContext } from '../../../src/runner/nemesis.js';
import { buildNemesis, faultSchedule } from '../../../nemesis/index.js';
import { CHAIN_IN, CHAIN_OUT, dropScript, partitionNemesis, setupScript, teardownScript } from '../../../nemesis/partition.js';
import { processFaultNemesis } from '../../../nemesis/process-faults.js';

/** Nodes that only remember the shell scripts they were given. */
function fakeCluster(n = 3): { cluster: Cluster; scripts: Map<string, string[]> } {
  const scripts = new Map<string, string[]>();
  const nodes: Node[] = Array.from({ length: n }, (_, i) => {
    const name = `n${i + 1}`;
    scripts.set(name, []);
    return {
      name,
      address: `10.0.0.${i + 11}`,
      exec: async (argv) => {
        scripts.get(name)!.push(argv[argv.length - 1] ?? '');
        return { stdout: '', stderr: '', exitCode: 0 };
      },
      copyOut: async () => undefined,
      writeFile: async () => undefined,
    };
  });
  return { cluster: { id: 'c1', name: 'c1', system: 'etcd', nodes }, scripts };
}

function ctx(cluster: Cluster, leader?: string): NemesisContext {
  return { nodes: cluster.nodes.map((n) => n.name), leader: async () => leader, rng: new RandomStreams(1).stream('faults'), signal: new AbortController().signal };
}

const last = (scripts: Map<string, string[]>, node: string): string => scripts.get(node)!.at(-1) ?? '';

describe('iptables partition', () => {
  it('renders drops in both directions inside faultline chains only', () => {
    assert.equal(
      dropScript(['10.0.0.12']),
      ['set -e', `iptables -w -F ${CHAIN_IN}`, `iptables -w -F ${CHAIN_OUT}`, `iptables -w -A ${CHAIN_IN} -s 10.0.0.12 -j DROP`, `iptables -w -A ${CHAIN_OUT} -d 10.0.0.12 -j DROP`].join('\n'),
    );
    assert.throws(() => dropScript(['10.0.0.1; rm -rf /']), /not an IPv4 address/);
    // Healing and teardown never flush the built-in chains.
    for (const script of [dropScript([]), teardownScript(), setupScript()]) assert.doesNotMatch(script, /-F( INPUT| OUTPUT)?$/m);
    assert.match(teardownScript(), new RegExp(`-D INPUT -j ${CHAIN_IN}`));
  });

  it('isolates the leader: it drops both others, they drop only it', async () => {
    const { cluster, scripts } = fakeCluster();
    const nemesis = partitionNemesis(cluster);
    const result = await nemesis.invoke({ f: 'start-partition', value: 'isolate-leader' }, ctx(cluster, 'n2'));
    assert.deepEqual(result.details, { shape: 'isolate-leader', grudge: { n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] } });
    assert.match(last(scripts, 'n2'), /-s 10\.0\.0\.11 .*\n.*-d 10\.0\.0\.11 .*\n.*-s 10\.0\.0\.13/);
    assert.doesNotMatch(last(scripts, 'n1'), /10\.0\.0\.13/);
    assert.match(last(scripts, 'n1'), /-s 10\.0\.0\.12 -j DROP/);
    const healed = await nemesis.healAll(ctx(cluster));
    assert.deepEqual(healed, [{ fault: 'partition', active: false, targets: ['n1', 'n2', 'n3'] }]);
    for (const n of ['n1', 'n2', 'n3']) assert.equal(last(scripts, n), dropScript([]));
  });

  it('isolate-leader waits for a leader through an election, and is recorded not applied when none appears', async () => {
    const { cluster, scripts } = fakeCluster();
    let lookups = 0;
    const electing: NemesisContext = { ...ctx(cluster), leader: async () => (lookups++ < 2 ? undefined : 'n3') };
    const isolated = await partitionNemesis(cluster).invoke({ f: 'start-partition', value: 'isolate-leader' }, electing);
    assert.equal(lookups, 3);
    assert.deepEqual(isolated, { fault: 'partition', active: true, targets: ['n1', 'n2', 'n3'], details: { shape: 'isolate-leader', grudge: { n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] } } });
    const before = [...scripts.values()].map((l) => l.length);
    const none = await partitionNemesis(cluster).invoke({ f: 'start-partition', value: 'isolate-leader' }, ctx(cluster));
    assert.equal(none.active, false);
    assert.deepEqual(none.targets, []);
    const details = none.details as { shape: string; applied: boolean; reason: string };
    assert.equal(details.applied, false);
    assert.match(details.reason, /^no leader known after waiting [23]\.\d s \(\d+ lookups\)$/);
    assert.deepEqual([...scripts.values()].map((l) => l.length), before, 'no iptables rule was touched');
  });
});

describe('process faults', () => {
  it('acts on the chosen targets, stops them, and heal undoes every node', async () => {
    const { cluster } = fakeCluster(5);
    const done: string[] = [];
    const nemesis = processFaultNemesis(cluster, {
      fault: 'pause',
      signal: 'SIGSTOP',
      act: async (n) => void done.push(`stop ${n.name}`),
      undo: async (n) => void done.push(`cont ${n.name}`),
    });
    const started = await nemesis.invoke({ f: 'start-pause', value: 'majority' }, ctx(cluster));
    assert.equal(started.targets.length, 3);
    assert.equal(started.active, true);
    const stopped = await nemesis.invoke({ f: 'stop-pause', value: null }, ctx(cluster));
    assert.deepEqual([...stopped.targets].sort(), [...started.targets].sort());
    const leader = await nemesis.invoke({ f: 'start-pause', value: 'leader' }, ctx(cluster, 'n4'));
    assert.deepEqual(leader.targets, ['n4']);
    done.length = 0;
    await nemesis.healAll(ctx(cluster));
    assert.deepEqual(done.sort(), ['cont n1', 'cont n2', 'cont n3', 'cont n4', 'cont n5']);
  });
});

describe('fault schedule', () => {
  it('draws shapes and targets from the plan, alternating start and stop per kind', () => {
    const plan = { kinds: ['partition', 'kill'] as const, intervalMs: 100, partitions: ['bridge', 'halves'] as const, targets: ['minority'] as const };
    const history = simulate(faultSchedule(plan), { concurrency: 1, seed: 5, nemesis: true, maxOps: 40 }).filter((e) => e.type === 'invoke');
    assert.ok(history.length >= 20);
    const values = new Set(history.filter((e) => e.f === 'start-partition').map((e) => e.value));
    assert.deepEqual([...values].sort(), ['bridge', 'halves']);
    assert.ok(history.filter((e) => e.f === 'start-kill').every((e) => e.value === 'minority'));
    for (const kind of ['partition', 'kill']) {
      const steps = history.filter((e) => e.f.endsWith(kind)).map((e) => e.f);
      steps.forEach((f, i) => assert.equal(f, i % 2 === 0 ? `start-${kind}` : `stop-${kind}`));
    }
  });

  it('builds no nemesis without fault kinds', () => {
    const { cluster } = fakeCluster();
    assert.equal(buildNemesis({ kinds: [], intervalMs: 1, partitions: [], targets: [] }, {} as never, cluster), undefined);
  });
});
