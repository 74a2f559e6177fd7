import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { expandCampaign, testSeed } from '../../../src/campaign/expand.js';
import { parseCampaign } from '../../../src/campaign/load.js';
import { UsageError } from '../../../src/errors.js';

const expand = async (yaml: string, store?: string) => expandCampaign(parseCampaign(yaml, 'c.yaml'), { seed: 1, ...(store === undefined ? {} : { store }) });

test('the matrix expands to systems × workloads × nemeses × variants × repetitions, in order', async () => {
  const tests = await expand(`name: c
repetitions: 2
matrix:
  systems: [etcd, zookeeper]
  workloads: [register]
  nemeses: [none, [partition, kill]]
  options: [{label: fast, concurrency: 4}, {label: slow, concurrency: 2}]
`);
  assert.equal(tests.length, 2 * 1 * 2 * 2 * 2);
  assert.deepEqual(tests.slice(0, 3).map((t) => t.spec.name), ['etcd-register-none-fast-r1', 'etcd-register-none-fast-r2', 'etcd-register-none-slow-r1']);
  const last = tests.at(-1)!;
  assert.equal(last.spec.name, 'zookeeper-register-partition_kill-slow-r2');
  assert.deepEqual(last.spec.nemesis, ['partition', 'kill']);
  assert.equal(last.spec.concurrency, 2);
  assert.equal(last.repetition, 2);
  assert.equal(new Set(tests.map((t) => t.spec.seed)).size, tests.length, 'each test gets its own seed');
});

test('options layer: runner defaults < campaign defaults < variant < overrides < an explicit test', async () => {
  const tests = await expand(`name: c
store: from-file
defaults: {nodes: 5, concurrency: 8, timeLimitMs: 20000}
matrix:
  systems: [etcd, consul]
  workloads: [register]
  nemeses: [partition, kill]
  options: [{concurrency: 3}]
overrides:
  - match: {system: etcd, nemesis: partition}
    set: {concurrency: 7, readMode: serializable}
  - match: {nemesis: kill}
    set: {seed: 99}
tests:
  - {system: etcd, workload: lock, nemesis: pause, timeLimitMs: 30000, concurrency: 1}
`, 'cli-store');
  const by = new Map(tests.map((t) => [t.spec.name, t.spec]));
  const part = by.get('etcd-register-partition')!;
  assert.deepEqual([part.nodes, part.concurrency, part.timeLimitMs, part.readMode, part.opTimeoutMs], [5, 7, 20000, 'serializable', 5000]);
  assert.equal(by.get('consul-register-partition')!.concurrency, 3, 'the variant beats defaults');
  assert.equal(by.get('consul-register-partition')!.readMode, undefined);
  assert.equal(by.get('etcd-register-kill')!.seed, 99, 'a seed option wins over the derived one');
  const lock = by.get('etcd-lock-pause')!;
  assert.deepEqual([lock.timeLimitMs, lock.concurrency, lock.nodes, lock.store], [30000, 1, 5, 'cli-store']);
  assert.equal(tests.find((t) => t.spec.name === 'etcd-lock-pause')!.origin, 'tests[0]');
});

test('exclude drops matching combinations; duplicate names get a suffix', async () => {
  const tests = await expand(`name: c
matrix: {systems: [etcd, redis], workloads: [register, lock], nemeses: [none, kill]}
exclude:
  - {system: redis, workload: lock}
  - {nemesis: none, system: [etcd]}
tests:
  - {system: etcd, workload: register, nemesis: kill}
`);
  assert.deepEqual(tests.map((t) => t.spec.name), ['etcd-register-kill', 'etcd-lock-kill', 'redis-register-none', 'redis-register-kill', 'etcd-register-kill-2']);
});

test('a cross-field problem names the test and where it came from', async () => {
  await assert.rejects(
    () => expand(`name: c
matrix: {systems: [etcd], workloads: [register], nemeses: [partition]}
defaults: {nodes: 3, partitions: [majorities-ring]}
`),
    (err: unknown) => err instanceof UsageError && /^campaign test etcd-register-partition \(from matrix\): partitions: majorities-ring needs at least 4 nodes/.test(err.message),
  );
  await assert.rejects(
    () => expand(`name: c
tests: [{system: redis, workload: register, readMode: linearizable}]
`),
    (err: unknown) => err instanceof UsageError && /^campaign test redis-register-none \(from tests\[0\]\): read mode "linearizable" is unknown for redis/.test(err.message),
  );
  await assert.rejects(() => expand(`name: c
matrix: {systems: [etcd], workloads: [register]}
exclude: [{system: etcd}]
`), /expands to no test/);
});

test('expansion is deterministic for a campaign seed, and derived seeds stay in range', async () => {
  const yaml = `name: c
matrix: {systems: [etcd, consul], workloads: [register, lock]}
`;
  assert.deepEqual((await expand(yaml)).map((t) => t.spec.seed), (await expand(yaml)).map((t) => t.spec.seed));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.nat(10_000), (seed, i) => {
      const s = testSeed(seed, i);
      return Number.isInteger(s) && s >= 0 && s <= 0x7fffffff;
    }),
  );
});

test('node limits: the system\'s defaults unless the campaign sets them, as any other option', async () => {
  const tests = await expand(`name: c
defaults: {nodeMemoryMiB: 512}
matrix:
  systems: [etcd, redis]
  workloads: [register]
overrides:
  - match: {system: redis}
    set: {nodeCpus: 0.5, nodePids: 512}
`);
  const limits = tests.map((t) => [t.spec.system, t.spec.nodeMemoryMiB, t.spec.nodeCpus, t.spec.nodePids]);
  assert.deepEqual(limits, [['etcd', 512, 1, 4096], ['redis', 512, 0.5, 512]]);
  await assert.rejects(() => expand(`name: c
defaults: {nodeCpus: 0}
matrix: {systems: [etcd], workloads: [register]}
`), /nodeCpus/);
});
