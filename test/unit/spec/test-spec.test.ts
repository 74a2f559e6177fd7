import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { planRun } from '../../../src/execute/plan.js';
import { WORKLOAD_NAMES, defaultPartitions, parseTestSpec } from '../../../src/spec/test-spec.js';
import { workloads } from '../../../workloads/index.js';
import type { SystemClient } from '../../../src/systems/index.js';
import { specFromFlags } from '../../../src/cli/commands/run.js';
import { parseMemoryMiB } from '../../../src/cluster/resources.js';
import { nodeResources } from '../../../src/spec/test-spec.js';
import { DEFAULT_NODE_RESOURCES } from '../../../src/systems/resources.js';
import { planResources } from '../../../src/execute/plan.js';

const base = { system: 'etcd', workload: 'register', seed: 7 };

function rejects(input: object, field: RegExp): void {
  assert.throws(() => parseTestSpec(input), (e: unknown) => e instanceof UsageError && field.test(e.message), `expected an error matching ${field}`);
}

const client = (capabilities: SystemClient['capabilities'], readModes = ['linearizable', 'serializable']): { client: SystemClient } => ({
  client: {
    capabilities,
    readModes: readModes.map((name) => ({ name, summary: name, consistency: 'strict-serializable' as const })),
    open: () => Promise.reject(new Error('not in unit tests')),
  },
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

  it("names a plugin's test after its path or package, as a directory may be named", () => {
    assert.equal(parseTestSpec({ ...base, system: './examples/plugins/nats/index.js' }).name, 'examples-plugins-nats-index-register');
    assert.equal(parseTestSpec({ ...base, system: '/abs/my.plugin.mjs' }).name, 'abs-my.plugin-register');
    assert.equal(parseTestSpec({ ...base, system: '@me/faultline-x' }).name, 'me-faultline-x-register');
    assert.equal(parseTestSpec({ ...base, system: '../x.js', name: 'given' }).name, 'given');
  });

  it('names the bad field', () => {
    rejects({ ...base, nodes: 0 }, /^nodes:/);
    rejects({ ...base, system: 'mysql' }, /^system:/);
    rejects({ ...base, workload: 'queues' }, /^workload:/);
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
    assert.deepEqual(nodeResources(spec), DEFAULT_NODE_RESOURCES);
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

describe('run plan', () => {
  it('refuses a workload whose capability the system lacks, before anything starts', async () => {
    await assert.rejects(planRun(parseTestSpec({ ...base, workload: 'lock' }), client(['register'])), /etcd cannot run the lock workload: its client offers no lock capability/);
    await assert.rejects(planRun(parseTestSpec({ ...base, workload: 'lock-rmw' }), client(['lock'])), /no register capability/);
  });

  it('refuses a read mode the system does not have, and defaults to its first, with its consistency model', async () => {
    await assert.rejects(planRun(parseTestSpec({ ...base, readMode: 'stale' }), client(['register'])), /read mode "stale" is unknown for etcd/);
    assert.equal((await planRun(parseTestSpec(base))).readMode.name, 'linearizable');
    assert.equal((await planRun(parseTestSpec({ ...base, workload: 'append', readMode: 'serializable' }))).workloadOptions.consistency, 'serializable');
    assert.equal((await planRun(parseTestSpec({ ...base, system: 'consul', workload: 'append', readMode: 'consistent' }))).workloadOptions.consistency, 'strict-serializable');
  });

  it('resolves routing, workload options, the nemesis plan and node limits', async () => {
    const plan = await planRun(parseTestSpec({ ...base, routing: 'sticky', nemesis: ['pause'], targets: ['leader'] }), client(['register']));
    assert.deepEqual(plan.routing, { kind: 'sticky' });
    assert.deepEqual(plan.nemesis.kinds, ['pause']);
    assert.deepEqual(plan.nemesis.targets, ['leader']);
    assert.equal(plan.workload.name, 'register');
    assert.deepEqual(planResources(plan), { memoryMiB: 1024, cpus: 1, pids: 4096 });
  });

  it('a system\'s own options: checked against its descriptor, and they adapt the system', async () => {
    rejects({ ...base, systemOptions: { sentinel: true } }, /^systemOptions\.sentinel: etcd has no option "sentinel"/);
    rejects({ ...base, system: 'redis', systemOptions: { wait: 3 } }, /^systemOptions\.wait: WAIT needs 0 to 2 replicas on 3 nodes, got 3/);
    rejects({ ...base, system: 'redis', systemOptions: { sentinel: 'yes' } }, /takes a boolean/);
    rejects({ ...base, system: 'redis', nodes: 2, systemOptions: { sentinel: true } }, /Sentinel needs at least 3 nodes/);
    const plan = await planRun(parseTestSpec({ ...base, system: 'redis', systemOptions: { sentinel: true } }));
    assert.ok(plan.system.logFiles?.some((f) => f.includes('sentinel')), 'the Sentinel variant of redis');
  });

  it('`all` means every fault the system can take; a named one it cannot is refused', async () => {
    const etcd = await planRun(parseTestSpec({ ...base, nemesis: ['all'] }));
    // etcd's clock moves through its vDSO (faultline-vdso-clock): `all` takes it; only disk faults are left out.
    assert.deepEqual(etcd.nemesis.kinds, ['partition', 'kill', 'pause', 'clock', 'packet', 'client-pause', 'member']);
    assert.deepEqual(etcd.skippedFaults, []);
    const redis = await planRun(parseTestSpec({ ...base, system: 'redis', nemesis: ['all'] }));
    assert.ok(redis.nemesis.kinds.includes('clock'));
    assert.match(redis.skippedFaults.join(), /member: redis has no runtime membership change/);
    await assert.rejects(planRun(parseTestSpec({ ...base, system: 'redis', nemesis: ['member'] })), /redis cannot take the member fault/);
  });

  it('refuses an unknown system, and a plugin module that is not there', async () => {
    rejects({ ...base, system: 'mysql' }, /^system:/);
    await assert.rejects(planRun(parseTestSpec({ ...base, system: './no-such-plugin.js' })), /no system plugin at \.\/no-such-plugin\.js/);
  });
});
