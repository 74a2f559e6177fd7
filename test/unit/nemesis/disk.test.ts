import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Cluster, Node } from '../../../src/cluster/node.js';
import { RandomStreams } from '../../../src/generator/random.js';
import type { NemesisContext } from '../../../src/runner/nemesis.js';
import { builtinSystem } from '../../../src/systems/index.js';
import { DISK_PRIVILEGES, FS_STATUS, loseUnfsyncedNemesis, parseFsStatus, withDiskLayer } from '../../../nemesis/disk.js';
import { slowDiskNemesis } from '../../../nemesis/slow-disk.js';
import { planRun } from '../../../src/execute/plan.js';
import { parseTestSpec } from '../../../src/spec/test-spec.js';
import { expandNemesisKinds } from '../../../nemesis/kinds.js';

/**
 * A node as the nemesis sees it through its shell scripts: the database runs or not,
 * faultline-fs is mounted and running or not, and holds `pending` un-fsynced bytes; SIGUSR1
 * drops them and bumps the status sequence, as the C program does.
 */
interface SimNode {
  db: boolean;
  mounted: boolean;
  fs: boolean;
  seq: number;
  pending: number;
  status: string;
  /** The layer takes the signal but never confirms (a hung layer). */
  silent?: boolean;
  /** What a timed probe fsync through the layer takes (slow disk). */
  probeMs?: number;
  /** The layer sets other delays than asked (a broken layer). */
  skewed?: boolean;
}

function simCluster(states: SimNode[]): Cluster {
  const nodes: Node[] = states.map((s, i) => ({
    name: `n${i + 1}`,
    address: `10.0.0.${i + 11}`,
    exec: async (argv) => {
      const script = argv[argv.length - 1] ?? '';
      const ok = (stdout = ''): { stdout: string; stderr: string; exitCode: number } => ({ stdout, stderr: '', exitCode: 0 });
      const no = { stdout: '', stderr: '', exitCode: 1 };
      if (script.includes('/proc/mounts')) return s.mounted ? ok() : no;
      if (script.includes('kill -0') && script.includes('faultline-fs.pid')) return s.fs ? ok() : no;
      if (script.includes('kill -0')) return s.db ? ok() : no;
      if (script.includes('kill -KILL')) {
        s.db = false;
        return ok();
      }
      if (script.includes('kill -USR1')) {
        if (s.fs && !s.silent) {
          s.seq++;
          s.status = JSON.stringify({ seq: s.seq, dropped: true, files: s.pending > 0 ? 1 : 0, bytes: s.pending, truncated: s.pending, ...NO_DELAYS });
          s.pending = 0;
        }
        return ok();
      }
      if (script.includes('kill -HUP')) {
        const [fsyncDelayMs, writeDelayMs] = (/printf '%s %s\\n' (\d+) (\d+)/.exec(script) ?? []).slice(1).map(Number);
        if (s.fs && !s.silent) {
          s.seq++;
          s.status = JSON.stringify({ seq: s.seq, dropped: false, files: 0, bytes: 0, truncated: 0, ...NO_DELAYS, fsyncDelayMs: (fsyncDelayMs ?? 0) + (s.skewed ? 1 : 0), writeDelayMs });
        }
        return ok();
      }
      if (script.includes('date +%s%N')) return ok(String(s.probeMs ?? 0));
      if (script.includes('wc -l')) return ok('0');
      if (script.startsWith('cat ') && script.includes(FS_STATUS)) return s.fs ? ok(s.status) : no;
      return ok();
    },
    copyOut: async () => undefined,
    writeFile: async () => undefined,
  }));
  return { id: 'c1', name: 'c1', system: 'redis', nodes };
}

function ctx(cluster: Cluster): NemesisContext {
  return { nodes: cluster.nodes.map((n) => n.name), leader: async () => undefined, rng: new RandomStreams(1).stream('faults'), signal: new AbortController().signal };
}

const NO_DELAYS = { fsyncDelayMs: 0, writeDelayMs: 0, delayedFsyncs: 0, delayedWrites: 0 };
const fresh = (pending: number): SimNode => ({ db: true, mounted: true, fs: true, seq: 1, pending, status: JSON.stringify({ seq: 1, dropped: false, files: 0, bytes: 0, truncated: 0, ...NO_DELAYS }) });

describe('faultline-fs status', () => {
  it('parses exactly the lines faultline-fs writes, and nothing else', () => {
    const status = fc.record({
      seq: fc.nat(), dropped: fc.boolean(), files: fc.nat(), bytes: fc.nat(), truncated: fc.nat(),
      fsyncDelayMs: fc.nat(), writeDelayMs: fc.nat(), delayedFsyncs: fc.nat(), delayedWrites: fc.nat(),
    });
    fc.assert(fc.property(status, (s) => assert.deepEqual(parseFsStatus(`${JSON.stringify(s)}\n`), { ...s })));
    // Any field missing, negative, fractional or of another type: not a status.
    const broken = fc.tuple(
      status,
      fc.constantFrom('seq', 'dropped', 'files', 'bytes', 'truncated', 'fsyncDelayMs', 'writeDelayMs', 'delayedFsyncs', 'delayedWrites'),
      fc.constantFrom(undefined, -1, 1.5, 'x', null),
    );
    fc.assert(
      fc.property(broken, ([s, field, bad]) => {
        const o: Record<string, unknown> = { ...s, [field]: bad };
        if (field === 'dropped' && bad === undefined) delete o['dropped'];
        assert.equal(parseFsStatus(JSON.stringify(o)), undefined);
      }),
    );
    assert.equal(parseFsStatus(''), undefined);
    assert.equal(parseFsStatus('{"seq":1'), undefined);
  });
});

describe('lose-unfsynced', () => {
  const redis = withDiskLayer(builtinSystem('redis'));

  it('kills, drops, and records on each node what faultline-fs says it dropped', async () => {
    const states = [fresh(100), fresh(0), fresh(7)];
    const cluster = simCluster(states);
    const nemesis = loseUnfsyncedNemesis(redis, cluster);
    const r = await nemesis.invoke({ f: 'start-lose-unfsynced', value: 'all' }, ctx(cluster));
    assert.deepEqual(r.targets, ['n1', 'n2', 'n3']);
    const nodes = (r.details as { nodes: Record<string, unknown> }).nodes;
    assert.deepEqual(nodes['n1'], { applied: true, killed: true, files: 1, bytesWritten: 100, bytesTruncated: 100 });
    assert.deepEqual(nodes['n2'], { applied: true, killed: true, files: 0, bytesWritten: 0, bytesTruncated: 0 });
    assert.deepEqual(nodes['n3'], { applied: true, killed: true, files: 1, bytesWritten: 7, bytesTruncated: 7 });
    assert.ok(states.every((s) => !s.db && s.pending === 0));
  });

  it('says applied: false where the layer is not serving or does not confirm, never pretends', async () => {
    const states = [{ ...fresh(5), mounted: false }, { ...fresh(5), fs: false }, { ...fresh(5), silent: true }];
    const cluster = simCluster(states);
    const r = await loseUnfsyncedNemesis(redis, cluster, undefined, 200).invoke({ f: 'start-lose-unfsynced', value: 'all' }, ctx(cluster));
    const nodes = (r.details as { nodes: Record<string, { applied: boolean; reason?: string }> }).nodes;
    for (const name of ['n1', 'n2', 'n3']) {
      assert.equal(nodes[name]?.applied, false, name);
      assert.ok((nodes[name]?.reason ?? '').length > 0, name);
    }
    // The kill still happened: the record says so.
    assert.ok(states.every((s) => !s.db));
  });

  it('is refused before anything starts where it cannot apply, and is not part of `all`', async () => {
    assert.ok(!expandNemesisKinds(['all']).includes('lose-unfsynced'));
    const plan = await planRun(parseTestSpec({ system: 'redis', workload: 'set', nemesis: ['lose-unfsynced'], seed: 1 }));
    assert.deepEqual(plan.system.logFiles?.at(-1), '/var/log/faultline/faultline-fs.log');
    const plain = await planRun(parseTestSpec({ system: 'redis', workload: 'set', nemesis: ['all'], seed: 1 }));
    assert.ok(!plain.nemesis.kinds.includes('lose-unfsynced'));
    assert.equal(plain.system.logFiles?.includes('/var/log/faultline/faultline-fs.log'), false);
    assert.deepEqual(DISK_PRIVILEGES, { capAdd: ['SYS_ADMIN'], devices: ['/dev/fuse'] });
  });
});

describe('slow-disk', () => {
  const etcd = withDiskLayer(builtinSystem('etcd'));
  const value = { targets: 'all', fsyncDelayMs: 500, writeDelayMs: 20 };

  it('is applied only where faultline-fs confirmed the delays and a probe fsync took at least as long', async () => {
    const states = [{ ...fresh(0), probeMs: 530 }, { ...fresh(0), probeMs: 100 }, { ...fresh(0), probeMs: 900, skewed: true }];
    const cluster = simCluster(states);
    const r = await slowDiskNemesis(etcd, cluster, 200).invoke({ f: 'start-slow-disk', value }, ctx(cluster));
    const nodes = (r.details as { nodes: Record<string, { applied: boolean; reason?: string; probeMs?: number }> }).nodes;
    assert.deepEqual(nodes['n1'], { applied: true, fsyncDelayMs: 500, writeDelayMs: 20, confirmed: { fsyncDelayMs: 500, writeDelayMs: 20 }, probeMs: 530 });
    assert.equal(nodes['n2']?.applied, false);
    assert.match(nodes['n2']?.reason ?? '', /took 100 ms, less than the 520 ms/);
    assert.equal(nodes['n3']?.applied, false);
    assert.match(nodes['n3']?.reason ?? '', /reports delays fsync 501 ms/);
  });

  it('says why where the layer is not serving or silent, and heals to zero delays on every node it slowed', async () => {
    const states = [{ ...fresh(0), mounted: false }, { ...fresh(0), silent: true }, { ...fresh(0), probeMs: 600 }];
    const cluster = simCluster(states);
    const nemesis = slowDiskNemesis(etcd, cluster, 200);
    const r = await nemesis.invoke({ f: 'start-slow-disk', value }, ctx(cluster));
    const nodes = (r.details as { nodes: Record<string, { applied: boolean; reason?: string }> }).nodes;
    assert.match(nodes['n1']?.reason ?? '', /not serving/);
    assert.match(nodes['n2']?.reason ?? '', /did not confirm/);
    assert.equal(nodes['n3']?.applied, true);
    const [healed] = await nemesis.healAll(ctx(cluster));
    const after = (healed?.details as { nodes?: Record<string, { healed: boolean }> }).nodes ?? {};
    assert.deepEqual(Object.keys(after), ['n3'], 'only the node that was slowed has a record');
    assert.equal(after['n3']?.healed, true);
    assert.equal((JSON.parse(states[2]!.status) as { fsyncDelayMs: number }).fsyncDelayMs, 0);
  });
});
