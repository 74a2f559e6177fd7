import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RandomStreams } from '../../../src/generator/random.js';
import { planRun } from '../../../src/execute/plan.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';
import { builtinSystem } from '../../../src/systems/index.js';
import { UsageError } from '../../../src/errors.js';
import { applyCorruption, corruptionRecord, dataEnd, planCorruption } from '../../../nemesis/corruption.js';
import { faultSchedule } from '../../../nemesis/index.js';
import { runPrivileges } from '../../../nemesis/privileges.js';
import { simulate } from '../../../src/generator/simulate.js';
import type { Cluster, Node } from '../../../src/cluster/node.js';
import { corruptFileNemesis } from '../../../nemesis/corrupt-file.js';

/** Bytes with a run of zeros at the end, as preallocated WALs have. */
const fileArb = fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.nat(50)).map(([data, zeros]) => Uint8Array.from([...data, ...new Array<number>(zeros).fill(0)]));

/** The reference: the last non-zero byte, found by looking at every byte. */
function lastNonZero(bytes: Uint8Array): number {
  let end = 0;
  bytes.forEach((b, i) => {
    if (b !== 0) end = i + 1;
  });
  return end;
}

/** Every bit that differs between two byte arrays of the same length, as [offset, bit]. */
function bitDiff(a: Uint8Array, b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i++) for (let bit = 0; bit < 8; bit++) if (((a[i]! ^ b[i]!) >> bit) & 1) out.push([i, bit]);
  return out;
}

describe('corruption plans', () => {
  it('dataEnd is where the last non-zero byte ends', () => {
    fc.assert(fc.property(fileArb, (bytes) => assert.equal(dataEnd(bytes), lastNonZero(bytes))));
  });

  it('a bitflip changes exactly the planned bits, all inside the data, and nothing else', () => {
    fc.assert(
      fc.property(fileArb, fc.integer({ min: 1, max: 20 }), fc.nat(), (bytes, flips, seed) => {
        const plan = planCorruption(bytes.length, dataEnd(bytes), 'bitflip', flips, new RandomStreams(seed).stream('faults'));
        if (dataEnd(bytes) === 0) return assert.ok('reason' in plan);
        assert.ok(!('reason' in plan) && plan.mode === 'bitflip');
        assert.equal(plan.flips.length, Math.min(flips, dataEnd(bytes)));
        const after = applyCorruption(bytes, plan);
        assert.equal(after.length, bytes.length);
        assert.deepEqual(bitDiff(bytes, after), plan.flips.map((f) => [f.offset, f.bit]));
        assert.ok(plan.flips.every((f) => f.offset < dataEnd(bytes)));
      }),
    );
  });

  it('a cut always removes data, and keeps exactly the prefix', () => {
    fc.assert(
      fc.property(fileArb, fc.nat(), (bytes, seed) => {
        const plan = planCorruption(bytes.length, dataEnd(bytes), 'truncate', 1, new RandomStreams(seed).stream('faults'));
        if (dataEnd(bytes) === 0) return assert.ok('reason' in plan);
        assert.ok(!('reason' in plan) && plan.mode === 'truncate');
        assert.ok(plan.toSize < dataEnd(bytes));
        assert.deepEqual(applyCorruption(bytes, plan), bytes.slice(0, plan.toSize));
      }),
    );
  });

  it('the record is applied only when the node read back exactly the planned change', () => {
    const flip = { mode: 'bitflip' as const, size: 100, dataEnd: 90, flips: [{ offset: 3, bit: 0 }, { offset: 7, bit: 7 }] };
    const ok = corruptionRecord(flip, '16 17\n128 0\n');
    assert.equal(ok.applied, true);
    assert.deepEqual(ok.record['flips'], [{ offset: 3, bit: 0, before: '10', after: '11' }, { offset: 7, bit: 7, before: '80', after: '00' }]);
    assert.equal(corruptionRecord(flip, '16 16\n128 0\n').applied, false, 'a byte that did not change');
    assert.equal(corruptionRecord(flip, '16 17\n').applied, false, 'a flip not reported');
    const cut = { mode: 'truncate' as const, size: 100, dataEnd: 90, toSize: 40 };
    const sha = 'a'.repeat(64);
    assert.deepEqual(corruptionRecord(cut, `00ff ${sha} 40\n`), {
      applied: true,
      record: { mode: 'truncate', size: 100, dataEnd: 90, toSize: 40, removedBytes: 60, removedDataBytes: 50, removedHead: '00ff', removedSha256: sha, sizeAfter: 40 },
    });
    assert.equal(corruptionRecord(cut, `00ff ${sha} 100\n`).applied, false, 'the file kept its size');
  });
});

describe('--nemesis corrupt-file and slow-disk in the run plan', () => {
  it('refuses systems without declared files, and names the files a system has', async () => {
    const refused = (input: object): Promise<unknown> => planRun(parseTestSpec({ workload: 'set', seed: 1, ...input }));
    await assert.rejects(refused({ system: 'redis', nemesis: ['corrupt-file'] }), (e: unknown) => e instanceof UsageError && /declares no files to corrupt.*--redis-appendfsync/.test(e.message));
    await assert.rejects(refused({ system: 'etcd', nemesis: ['corrupt-file'], corrupt: { files: ['aof'] } }), (e: unknown) => e instanceof UsageError && /no corruptible file "aof" \(it has: wal, snapshot\)/.test(e.message));
    const redis = await planRun(parseTestSpec({ system: 'redis', workload: 'set', seed: 1, nemesis: ['corrupt-file'], systemOptions: { appendfsync: 'always' } }));
    assert.deepEqual(redis.nemesis.corrupt, { files: ['aof', 'rdb'], modes: ['bitflip', 'truncate'], flips: 1 });
    const zk = await planRun(parseTestSpec({ system: 'zookeeper', workload: 'set', seed: 1, nemesis: ['corrupt-file'], corrupt: { files: ['log'], modes: ['truncate'], flips: 3 } }));
    assert.deepEqual(zk.nemesis.corrupt, { files: ['log'], modes: ['truncate'], flips: 3 });
    assert.deepEqual(builtinSystem('consul').corruptibleFiles?.map((f) => f.name), ['raft']);
  });

  it('corrupt-file needs no privileges and no disk layer; slow-disk gets /dev/fuse and CAP_SYS_ADMIN', async () => {
    const etcd = builtinSystem('etcd');
    assert.equal(runPrivileges(['corrupt-file'], etcd), undefined);
    assert.deepEqual(runPrivileges(['slow-disk'], etcd), { capAdd: ['SYS_ADMIN'], devices: ['/dev/fuse'], for: ['slow-disk'] });
    const corrupt = await planRun(parseTestSpec({ system: 'etcd', workload: 'set', seed: 1, nemesis: ['corrupt-file'] }));
    assert.ok(!(corrupt.system.logFiles ?? []).includes('/var/log/faultline/faultline-fs.log'));
    const slow = await planRun(parseTestSpec({ system: 'etcd', workload: 'set', seed: 1, nemesis: ['slow-disk'], slowDisk: { fsyncDelayMs: 3000 } }));
    assert.ok((slow.system.logFiles ?? []).includes('/var/log/faultline/faultline-fs.log'));
    assert.deepEqual(slow.nemesis.slowDisk, { fsyncDelayMs: 3000, writeDelayMs: 0 });
    assert.throws(() => parseTestSpec({ system: 'etcd', workload: 'set', seed: 1, slowDisk: { fsyncDelayMs: -1 } }), UsageError);
    assert.throws(() => parseTestSpec({ system: 'etcd', workload: 'set', seed: 1, corrupt: { modes: ['shred'] } }), UsageError);
  });

  it('each start names its targets, file and mode (drawn from the plan) or its delays', () => {
    const plan = {
      kinds: ['corrupt-file', 'slow-disk'] as const,
      intervalMs: 100,
      partitions: [],
      targets: ['one', 'all'] as const,
      corrupt: { files: ['wal', 'snapshot'], modes: ['truncate'] as const, flips: 2 },
      slowDisk: { fsyncDelayMs: 50, writeDelayMs: 5 },
    };
    const ops = simulate(faultSchedule(plan), { concurrency: 1, seed: 4, nemesis: true, maxOps: 60 }).filter((e) => e.type === 'invoke' && e.f.startsWith('start-'));
    const corrupt = ops.filter((o) => o.f === 'start-corrupt-file').map((o) => o.value as Record<string, unknown>);
    const slow = ops.filter((o) => o.f === 'start-slow-disk').map((o) => o.value as Record<string, unknown>);
    assert.ok(corrupt.length > 0 && slow.length > 0);
    for (const v of corrupt) {
      assert.ok(['one', 'all'].includes(String(v['targets'])) && ['wal', 'snapshot'].includes(String(v['file'])));
      assert.equal(v['mode'], 'truncate');
    }
    for (const v of slow) assert.deepEqual({ ...v, targets: 'x' }, { targets: 'x', fsyncDelayMs: 50, writeDelayMs: 5 });
  });
});

describe('corrupt-file nemesis', () => {
  it('a start naming a file the system does not declare, or no mode, changes nothing and says why (no kill)', async () => {
    const scripts: string[] = [];
    const nodes: Node[] = ['n1', 'n2', 'n3'].map((name, i) => ({
      name,
      address: `10.0.0.${i + 11}`,
      exec: async (argv) => {
        scripts.push(argv.join(' '));
        return { stdout: '', stderr: '', exitCode: 0 };
      },
      copyOut: async () => undefined,
      writeFile: async () => undefined,
    }));
    const cluster: Cluster = { id: 'c1', name: 'c1', system: 'etcd', nodes };
    const nemesis = corruptFileNemesis(builtinSystem('etcd'), cluster, 1);
    const ctx = { nodes: ['n1', 'n2', 'n3'], leader: async () => undefined, rng: new RandomStreams(1).stream('faults'), signal: new AbortController().signal };
    for (const [value, why] of [
      [{ targets: 'all', file: 'aof', mode: 'bitflip' }, /etcd declares no corruptible file "aof"/],
      [{ targets: 'all', file: 'wal', mode: 'shred' }, /no corrupt mode "shred"/],
    ] as const) {
      const r = await nemesis.invoke({ f: 'start-corrupt-file', value }, ctx);
      const per = (r.details as { nodes: Record<string, { applied: boolean; killed: boolean; reason: string }> }).nodes;
      assert.deepEqual(Object.keys(per), ['n1', 'n2', 'n3']);
      for (const n of Object.values(per)) {
        assert.equal(n.applied, false);
        assert.equal(n.killed, false);
        assert.match(n.reason, why);
      }
    }
    assert.deepEqual(scripts, [], 'nothing was run on any node');
  });
});
