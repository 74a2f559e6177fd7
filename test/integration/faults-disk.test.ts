import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import fc from 'fast-check';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider } from '../../src/cluster/docker/docker-provider.js';
import type { Cluster, Node } from '../../src/cluster/node.js';
import type { Json } from '../../src/history/event.js';
import { builtinSystem } from '../../src/systems/index.js';
import { DISK_PRIVILEGES, FS_STATUS, mountDiskLayer } from '../../nemesis/disk.js';
import { type CliRun, faultEvents, runAndInspect } from './run-helpers.js';

type Applied = { applied: boolean; files?: number; bytesWritten?: number; reason?: string };
const perNode = (v: Json): Record<string, Applied> => ((v as { details?: { nodes?: Record<string, Applied> } }).details?.nodes ?? {});

/** Nothing of faultline-fs outlives its containers: no mount and no process on this host. */
async function assertNoFsLeftOnHost(): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8');
  assert.doesNotMatch(mounts, /fuse\.faultline-fs/, 'a faultline-fs mount is left on the host');
  const ps = await promisify(execFile)('ps', ['-eo', 'comm=']);
  assert.ok(!ps.stdout.split('\n').includes('faultline-fs'), 'a faultline-fs process is left on the host');
}

/** Inside each node during the run: the data directory is served by faultline-fs. */
async function assertLayerMounted(node: Node, dataDir: string): Promise<void> {
  const r = await node.exec(['sh', '-c', `awk '$2 == "${dataDir}" { print $3 }' /proc/mounts`]);
  assert.equal(r.stdout.trim(), 'fuse.faultline-fs', `${node.name}: ${dataDir} is not on faultline-fs`);
}

async function testJson(run: CliRun): Promise<{ privileges?: Json }> {
  return JSON.parse(await readFile(join(run.runDir, 'test.json'), 'utf8')) as { privileges?: Json };
}

function diskRun(system: string, extra: readonly string[], seconds: number, interval: number, seed = 3): Promise<CliRun> {
  const dataDir = builtinSystem(system).dataDir ?? '';
  return runAndInspect(
    [
      '--system', system, ...extra, '--nemesis', 'lose-unfsynced', '--targets', 'all', '--nemesis-interval', String(interval),
      '--workload', 'set', '--nodes', '3', '--time-limit', String(seconds), '--settle', '2', '--seed', String(seed),
    ],
    (node) => assertLayerMounted(node, dataDir),
  );
}

/** Every power cut the history records was applied on every node, and the run's test.json says what the nodes were given. */
async function assertCutsApplied(run: CliRun): Promise<Record<string, Applied>[]> {
  const cuts = faultEvents(run.history, 'start-lose-unfsynced').map((e) => perNode(e.value));
  assert.ok(cuts.length >= 1, 'at least one power cut');
  for (const cut of cuts) for (const [name, a] of Object.entries(cut)) assert.equal(a.applied, true, `${name}: ${a.reason ?? ''}`);
  assert.deepEqual((await testJson(run)).privileges, { capAdd: ['SYS_ADMIN'], devices: ['/dev/fuse'], for: ['lose-unfsynced'] });
  await assertNoFsLeftOnHost();
  return cuts;
}

/**
 * faultline-fs itself, against a brute-force model: random writes, truncations, fsyncs and
 * power cuts on one file; after each cut the file must be exactly what it was at its last
 * fsync (a kept un-fsynced byte and a lost fsynced one both fail), and with no cut it must be
 * exactly what was written.
 */
describe('faultline-fs', () => {
  let cluster: Cluster | undefined;
  let bare: Cluster | undefined;
  let docker: Docker | undefined;
  let provider: DockerProvider | undefined;
  const mnt = '/var/lib/faultline/fs-test';

  before(async () => {
    docker = await connectDocker();
    provider = new DockerProvider(docker);
    const redis = builtinSystem('redis');
    const image = await provider.prepare({ name: redis.name, ...redis.install }, () => undefined);
    cluster = await provider.create({ system: 'fs-test', nodes: 1, image, name: `it-disk-${process.pid}`, privileges: DISK_PRIVILEGES });
    bare = await provider.create({ system: 'fs-test', nodes: 1, image, name: `it-disk-bare-${process.pid}` });
    await mountDiskLayer(cluster.nodes[0]!, mnt);
  });
  after(async () => {
    if (cluster !== undefined) await provider?.destroy(cluster.id);
    if (bare !== undefined) await provider?.destroy(bare.id);
    await assertNoFsLeftOnHost();
  });

  type Op = { op: 'write'; off: number; data: string } | { op: 'truncate'; size: number } | { op: 'fsync' } | { op: 'cut' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('write' as const), off: fc.nat(60), data: fc.stringMatching(/^[a-z]{1,12}$/) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), size: fc.nat(70) }) },
    { weight: 2, arbitrary: fc.constant({ op: 'fsync' as const }) },
    { weight: 2, arbitrary: fc.constant({ op: 'cut' as const }) },
  );

  /** The reference: the bytes now, and the bytes at the last fsync; a cut puts the latter back. */
  function model(ops: readonly Op[]): string[] {
    let cur: number[] = [];
    let durable: number[] = [];
    const seen: string[] = [];
    const hex = (b: number[]): string => `=${b.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
    for (const o of ops) {
      if (o.op === 'write') {
        while (cur.length < o.off) cur.push(0);
        [...o.data].forEach((c, i) => (cur[o.off + i] = c.charCodeAt(0)));
      } else if (o.op === 'truncate') {
        cur = cur.slice(0, o.size);
        while (cur.length < o.size) cur.push(0);
      } else if (o.op === 'fsync') {
        durable = [...cur];
      } else {
        cur = [...durable];
        seen.push(hex(cur));
      }
    }
    seen.push(hex(cur));
    return seen;
  }

  function script(ops: readonly Op[]): string {
    const f = `${mnt}/f`;
    // "=" first: an empty file still gives a line.
    const dump = `printf =; od -An -v -tx1 ${f} | tr -d ' \\n'; echo`;
    const lines = ['set -e', `rm -f ${f}`, `: > ${f}`, `dd if=/dev/null of=${f} conv=notrunc,fsync status=none`, 'P=$(cat /run/faultline/faultline-fs.pid)'];
    for (const o of ops) {
      if (o.op === 'write') lines.push(`printf '${o.data}' | dd of=${f} bs=${o.data.length} seek=${o.off} oflag=seek_bytes conv=notrunc status=none`);
      else if (o.op === 'truncate') lines.push(`truncate -s ${o.size} ${f}`);
      else if (o.op === 'fsync') lines.push(`dd if=/dev/null of=${f} conv=notrunc,fsync status=none`);
      else lines.push(`s=$(cat ${FS_STATUS}); kill -USR1 $P; while [ "$(cat ${FS_STATUS})" = "$s" ]; do sleep 0.01; done`, dump);
    }
    lines.push(dump);
    return lines.join('\n');
  }

  it('after a power cut, every file is exactly as it was at its last fsync (fast-check, against a model)', async () => {
    const node = cluster!.nodes[0]!;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const r = await node.exec(['sh', '-c', script(ops)]);
        assert.equal(r.exitCode, 0, r.stderr);
        assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.trim()), model(ops));
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it('renames, creates and directories stay (metadata is durable at once); a cut with nothing pending drops nothing', async () => {
    const node = cluster!.nodes[0]!;
    const r = await node.exec([
      'sh', '-c',
      // A cut first: what earlier tests left pending is not this test's.
      `set -e; cd ${mnt}; s=$(cat ${FS_STATUS}); kill -USR1 $(cat /run/faultline/faultline-fs.pid); while [ "$(cat ${FS_STATUS})" = "$s" ]; do sleep 0.01; done; ` +
        `rm -rf d; mkdir d; printf abc > d/a; dd if=/dev/null of=d/a conv=notrunc,fsync status=none; mv d/a d/b; printf xyz >> d/b; ` +
        `s=$(cat ${FS_STATUS}); kill -USR1 $(cat /run/faultline/faultline-fs.pid); while [ "$(cat ${FS_STATUS})" = "$s" ]; do sleep 0.01; done; ` +
        `ls d; cat d/b; echo; cat ${FS_STATUS}; kill -USR1 $(cat /run/faultline/faultline-fs.pid); sleep 0.3; cat ${FS_STATUS}`,
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    const [ls, content, first, second] = r.stdout.trim().split('\n');
    assert.equal(ls, 'b');
    assert.equal(content, 'abc');
    assert.deepEqual({ ...JSON.parse(first!), seq: 0 }, { seq: 0, dropped: true, files: 1, bytes: 3, truncated: 3 });
    assert.deepEqual({ ...JSON.parse(second!), seq: 0 }, { seq: 0, dropped: true, files: 0, bytes: 0, truncated: 0 });
  });

  it('a node without /dev/fuse and CAP_SYS_ADMIN (every run without disk faults) cannot mount it, and the mount says why', async () => {
    const info = await docker!.getContainer(`faultline-${bare!.id}-n1`).inspect();
    assert.deepEqual(info.HostConfig.CapAdd, ['NET_ADMIN']);
    assert.equal((info.HostConfig.Devices ?? []).length, 0);
    await assert.rejects(mountDiskLayer(bare!.nodes[0]!, mnt), /did not mount/);
  });
});

/**
 * The MUST-show: a power cut of every node loses acknowledged Redis writes with
 * appendfsync everysec and none with always; etcd and ZooKeeper (which fsync before they
 * acknowledge) stay valid.
 */
describe('--nemesis lose-unfsynced', () => {
  it('redis, appendfsync everysec: acknowledged adds are lost (invalid), and each cut dropped bytes everywhere', async () => {
    const run = await diskRun('redis', ['--redis-appendfsync', 'everysec'], 15, 3);
    assert.equal(run.results.verdict, 'invalid', run.stderr.slice(-1500));
    const set = run.results.checkers.find((c) => c.checker === 'set');
    assert.equal(set?.verdict, 'invalid');
    const cuts = await assertCutsApplied(run);
    assert.ok(cuts.some((cut) => Object.values(cut).every((a) => (a.bytesWritten ?? 0) > 0)), 'some cut dropped un-fsynced bytes on every node');
  });

  it('redis, appendfsync always: nothing acknowledged is lost (valid)', async () => {
    const run = await diskRun('redis', ['--redis-appendfsync', 'always'], 15, 3);
    assert.equal(run.results.verdict, 'valid', run.stderr.slice(-1500));
    await assertCutsApplied(run);
  });

  it('etcd: every acknowledged add survives power cuts of every node', async () => {
    const run = await diskRun('etcd', [], 15, 3);
    assert.equal(run.results.verdict, 'valid', run.stderr.slice(-1500));
    await assertCutsApplied(run);
  });

  it('zookeeper (trusting the transaction log when snapshot.0 is lost): every acknowledged add survives power cuts of every node', async () => {
    // Seed 18: a cut at once, then ~15 s for the ensemble to come back and take writes, then the cut that matters.
    const run = await diskRun('zookeeper', ['--zookeeper-trust-empty-snapshot'], 20, 8, 18);
    assert.equal(run.results.verdict, 'valid', run.stderr.slice(-1500));
    assert.ok(faultEvents(run.history, 'start-lose-unfsynced').length >= 2, 'a cut after writes were acknowledged');
    await assertCutsApplied(run);
  });
});
