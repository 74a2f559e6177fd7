import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { preflight } from '../../../src/execute/plan.js';
import { WORKLOAD_NAMES, defaultPartitions, parseTestSpec } from '../../../src/spec/test-spec.js';
import { workloads } from '../../../workloads/index.js';
import type { CapabilityProvider } from '../../../src/systems/client-options.js';
import { specFromFlags } from '../../../src/cli/commands/run.js';
import { parseMemoryMiB } from '../../../src/cluster/resources.js';
import { nodeResources } from '../../../src/spec/test-spec.js';
import { DEFAULT_NODE_RESOURCES } from '../../../src/systems/resources.js';

const base = { system: 'etcd', workload: 'register', seed: 7 };

function rejects(input: object, field: RegExp): void {
  assert.throws(() => parseTestSpec(input), (e: unknown) => e instanceof UsageError && field.test(e.message), `expected an error matching ${field}`);
}

const provider = (supported: CapabilityProvider['supported'], readModes = ['linearizable', 'serializable']): (() => CapabilityProvider) => () => ({
  supported,
  readModes,
  open: () => Promise.reject(new Error('not in unit tests')),
});

describe('test spec', () => {
  it('fills defaults and names the test after system and workload', () => {
    const spec = parseTestSpec(base);
    assert.equal(spec.name, 'etcd-register');
    assert.equal(spec.nodes, 3);
    assert.equal(spec.concurrency, 10);
    assert.deepEqual(spec.nemesis, []);
    assert.equal(spec.routing, 'random');
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, 'serialisable to test.json as is');
  });

  it('names the bad field', () => {
    rejects({ ...base, nodes: 0 }, /^nodes:/);
    rejects({ ...base, system: 'mysql' }, /^system:/);
    rejects({ ...base, workload: 'queue' }, /^workload:/);
    rejects({ ...base, nemesis: ['partition', 'flood'] }, /^nemesis\.1:/);
    rejects({ ...base, routing: 'weighted:n1' }, /^routing:.*not node=weight/);
    rejects({ ...base, partitions: ['majorities-ring'] }, /^partitions:.*at least 4 nodes/);
    rejects({ ...base, name: '../x' }, /^name:/);
    rejects({ ...base, colour: 'red' }, /colour/);
    rejects({ system: 'etcd', workload: 'register' }, /^seed:/);
  });

  it('accepts exactly the workloads the registry has', () => {
    assert.deepEqual([...WORKLOAD_NAMES].sort(), [...workloads.keys()].sort());
  });

  it('draws partitions from the shapes the cluster size allows', () => {
    assert.ok(!defaultPartitions(3).includes('majorities-ring'));
    assert.ok(defaultPartitions(5).includes('majorities-ring'));
    assert.ok(defaultPartitions(3).includes('bridge'));
  });

  it('turns CLI flags into a spec, seconds into ms', () => {
    const spec = parseTestSpec(
      specFromFlags({
        system: 'etcd', workload: 'lock', nemesis: 'partition,kill', nemesisInterval: '2.5', targets: 'one,leader', nodes: '5', concurrency: '4',
        timeLimit: '20', opTimeout: '1', opInterval: '0', opsPerKey: '50', threadsPerKey: '2', settle: '1', seed: '9', routing: 'sticky',
        lockTtl: '3', store: '/tmp/s', readMode: 'serializable', minOk: '10',
      }),
    );
    assert.equal(spec.nemesisIntervalMs, 2500);
    assert.deepEqual(spec.nemesis, ['partition', 'kill']);
    assert.deepEqual(spec.targets, ['one', 'leader']);
    assert.equal(spec.timeLimitMs, 20_000);
    assert.equal(spec.lockTtlMs, 3000);
    assert.equal(spec.readMode, 'serializable');
    assert.equal(spec.minOk, 10);
    assert.throws(() => specFromFlags({ ...({} as Parameters<typeof specFromFlags>[0]), nodes: 'x', nemesisInterval: '1', targets: 'one' }), UsageError);
  });

  it('fills each node\'s limits from the system\'s defaults, so test.json records them', () => {
    const spec = parseTestSpec(base);
    assert.deepEqual(nodeResources(spec), DEFAULT_NODE_RESOURCES.etcd);
    assert.deepEqual(nodeResources(spec), { memoryMiB: 1024, cpus: 1, pids: 4096 });
    const recorded = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
    assert.equal(recorded['nodeMemoryMiB'], 1024);
    assert.equal(recorded['nodeCpus'], 1);
    assert.equal(recorded['nodePids'], 4096);
    assert.deepEqual(parseTestSpec(recorded), spec, 'a replay from test.json gets the same limits');
  });

  it('--node-memory, --node-cpus and --node-pids change them; nonsense is refused naming the flag or field', () => {
    const flags = { system: 'redis', workload: 'register', nemesisInterval: '5', targets: 'one', nodes: '3', concurrency: '2', timeLimit: '5', opTimeout: '1', opInterval: '0', opsPerKey: '5', threadsPerKey: '1', settle: '0', seed: '1', routing: 'random', lockTtl: '1', store: 's', minOk: '50' };
    const spec = parseTestSpec(specFromFlags({ ...flags, nodeMemory: '1.5g', nodeCpus: '0.5', nodePids: '256' }));
    assert.deepEqual(nodeResources(spec), { memoryMiB: 1536, cpus: 0.5, pids: 256 });
    assert.equal(parseTestSpec(specFromFlags({ ...flags, nodeMemory: '300' })).nodeMemoryMiB, 300, 'a bare number is MiB');
    assert.throws(() => specFromFlags({ ...flags, nodeMemory: 'lots' }), /--node-memory must be a size like 512m or 2g, got "lots"/);
    assert.throws(() => specFromFlags({ ...flags, nodeCpus: 'two' }), /--node-cpus must be a number/);
    rejects({ ...base, nodeMemoryMiB: 16 }, /^nodeMemoryMiB:/);
    rejects({ ...base, nodeCpus: 0 }, /^nodeCpus:/);
    rejects({ ...base, nodePids: 10 }, /^nodePids:/);
    rejects({ ...base, nodePids: 100.5 }, /^nodePids:/);
  });

  it('reads sizes the way people write them', () => {
    const cases: [string, number | undefined][] = [['512', 512], ['512m', 512], ['512MiB', 512], ['1g', 1024], ['1.5G', 1536], ['2 GiB', 2048], ['', undefined], ['1t', undefined], ['-5m', undefined], ['1e3', undefined], ['m', undefined]];
    for (const [text, mib] of cases) assert.equal(parseMemoryMiB(text), mib, text);
  });
});

describe('preflight', () => {
  it('refuses a workload whose capability the system lacks, before anything starts', () => {
    assert.throws(() => preflight(parseTestSpec({ ...base, workload: 'lock' }), provider(['register'])), /etcd cannot run the lock workload: its client offers no lock capability/);
    assert.throws(() => preflight(parseTestSpec({ ...base, workload: 'lock-rmw' }), provider(['lock'])), /no register capability/);
  });

  it('refuses a read mode the system does not have, and defaults to its first', () => {
    assert.throws(() => preflight(parseTestSpec({ ...base, readMode: 'stale' }), provider(['register'])), /read mode "stale" is unknown for etcd/);
    assert.equal(preflight(parseTestSpec(base), provider(['register'])).readMode, 'linearizable');
  });

  it('resolves routing, workload options and the nemesis plan', () => {
    const plan = preflight(parseTestSpec({ ...base, routing: 'sticky', nemesis: ['pause'], targets: ['leader'] }), provider(['register']));
    assert.deepEqual(plan.routing, { kind: 'sticky' });
    assert.deepEqual(plan.nemesis.kinds, ['pause']);
    assert.deepEqual(plan.nemesis.targets, ['leader']);
    assert.equal(plan.workload.name, 'register');
  });
});
