import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Cluster, ExecResult, Node } from '../../../src/cluster/node.js';
import { RandomStreams } from '../../../src/generator/random.js';
import type { NemesisContext } from '../../../src/runner/nemesis.js';
import { builtinSystem } from '../../../src/systems/index.js';
import { clockNemesis } from '../../../nemesis/clock.js';
import { runPrivileges } from '../../../nemesis/privileges.js';
import { type DateSample, measurementAgrees, offsetFromDateEdge, parseHelperResult, vdsoHelperScript } from '../../../nemesis/vdso-clock.js';

/** Nodes whose helper answers as `answer` says (by node name and the offset in the script). */
function helperCluster(answer: (node: string, offsetNs: string) => ExecResult): { cluster: Cluster; calls: string[] } {
  const calls: string[] = [];
  const nodes: Node[] = ['n1', 'n2', 'n3'].map((name, i) => ({
    name,
    address: `10.0.0.${i + 11}`,
    exec: async (argv) => {
      const script = argv[argv.length - 1] ?? '';
      const ns = /"\$p" (-?\d+)$/.exec(script)?.[1] ?? '?';
      calls.push(`${name} ${ns}`);
      return answer(name, ns);
    },
    copyOut: async () => undefined,
    writeFile: async () => undefined,
  }));
  return { cluster: { id: 'c1', name: 'c1', system: 'etcd', nodes }, calls };
}

const ok = (pid: number): ExecResult => ({ exitCode: 0, stdout: `{"ok":true,"pid":${pid},"installed":true,"offsetNs":1}\n`, stderr: '' });
const ctx = (cluster: Cluster): NemesisContext => ({ nodes: cluster.nodes.map((n) => n.name), leader: async () => undefined, rng: new RandomStreams(1).stream('faults'), signal: new AbortController().signal });
// The built-in etcd without its HTTP probe: these tests do not measure.
const etcdNoProbe = { ...builtinSystem('etcd'), clock: { via: 'vdso', daemon: 'etcd' } as const };

describe('vDSO clock helper', () => {
  it('runs the helper on the pid from the pid file, offsets in ns, and says when the process or helper is missing', () => {
    const s = vdsoHelperScript('etcd', 30_000);
    assert.match(s, /cat \/run\/faultline\/etcd\.pid/);
    assert.match(s, /exec \/usr\/local\/bin\/faultline-vdso-clock "\$p" 30000000000$/);
    assert.match(vdsoHelperScript('etcd', -1.4), /"\$p" -1000000$/);
    assert.match(s, /etcd is not running/);
  });

  it('only exit 0 with ok:true is success; every other answer is a reason', () => {
    assert.deepEqual(parseHelperResult(0, '{"ok":true,"pid":7,"installed":true}\n', ''), { ok: true, pid: 7, installed: true });
    assert.deepEqual(parseHelperResult(2, '{"ok":false,"pid":7,"reason":"the [vdso] exports no __vdso_clock_gettime"}\n', ''), { ok: false, reason: 'the [vdso] exports no __vdso_clock_gettime' });
    // ok:true with a failing exit code is not believed.
    assert.equal(parseHelperResult(1, '{"ok":true,"pid":7}', '').ok, false);
    assert.deepEqual(parseHelperResult(127, '', 'sh: faultline-vdso-clock: not found\n'), { ok: false, reason: 'exit 127: sh: faultline-vdso-clock: not found' });
    assert.equal(parseHelperResult(0, 'garbage', '').ok, false);
  });

  it('CAP_SYS_PTRACE only for clock faults on a vDSO system, with the disk privileges when both', () => {
    const etcd = builtinSystem('etcd');
    assert.equal(runPrivileges(['partition', 'kill'], etcd), undefined);
    assert.equal(runPrivileges(['clock'], builtinSystem('redis')), undefined, 'libfaketime needs nothing');
    assert.deepEqual(runPrivileges(['clock'], etcd), { capAdd: ['SYS_PTRACE'], devices: [], for: ['clock'] });
    assert.deepEqual(runPrivileges(['clock', 'lose-unfsynced'], etcd), { capAdd: ['SYS_ADMIN', 'SYS_PTRACE'], devices: ['/dev/fuse'], for: ['lose-unfsynced', 'clock'] });
  });

  it('a bump applied everywhere is active and applied; heal sets 0 on every node', async () => {
    const { cluster, calls } = helperCluster(() => ok(7));
    const n = clockNemesis(etcdNoProbe, cluster);
    const r = await n.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 30_000, targets: 'all' } }, ctx(cluster));
    assert.equal(r.active, true);
    assert.equal((r.details as { applied: boolean }).applied, true);
    assert.deepEqual(calls.sort(), ['n1 30000000000', 'n2 30000000000', 'n3 30000000000']);
    calls.length = 0;
    const [healed] = await n.healAll(ctx(cluster));
    assert.equal(healed?.active, false);
    assert.deepEqual(calls.sort(), ['n1 0', 'n2 0', 'n3 0']);
  });

  it('where the helper fails, not applied with its reason; nowhere applied means not active', async () => {
    const refuse: ExecResult = { exitCode: 2, stdout: '{"ok":false,"reason":"cannot ptrace thread 7: Operation not permitted"}\n', stderr: '' };
    const { cluster } = helperCluster((node) => (node === 'n2' ? refuse : ok(7)));
    const r = await clockNemesis(etcdNoProbe, cluster).invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 5_000, targets: 'all' } }, ctx(cluster));
    const d = r.details as { applied: boolean; notApplied: Record<string, string> };
    assert.equal(r.active, true);
    assert.deepEqual(r.targets, ['n1', 'n3']);
    assert.equal(d.applied, false);
    assert.deepEqual(d.notApplied, { n2: 'cannot ptrace thread 7: Operation not permitted' });
    const all = helperCluster(() => refuse).cluster;
    const none = await clockNemesis(etcdNoProbe, all).invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 5_000, targets: 'all' } }, ctx(all));
    assert.equal(none.active, false);
    assert.equal((none.details as { reason: string }).reason, 'cannot ptrace thread 7: Operation not permitted');
  });

  it('a strobe flips between the offset and 0 and ends at 0', async () => {
    const { cluster, calls } = helperCluster(() => ok(7));
    const r = await clockNemesis(etcdNoProbe, cluster).invoke({ f: 'start-clock', value: { mode: 'strobe', offsetMs: 1_000, periodMs: 10, durationMs: 100, targets: 'one' } }, ctx(cluster));
    const offsets = calls.map((c) => c.split(' ')[1]);
    assert.ok(offsets.length >= 3);
    assert.equal(offsets[0], '1000000000');
    assert.equal(offsets.at(-1), '0');
    for (let i = 1; i < offsets.length - 1; i++) assert.equal(offsets[i], i % 2 === 0 ? '1000000000' : '0');
    assert.equal(r.active, false);
    assert.equal((r.details as { applied: boolean }).applied, true);
  });

  it('a process restarted since the bump is named at heal', async () => {
    let pid = 7;
    const { cluster } = helperCluster(() => ok(pid));
    const n = clockNemesis(etcdNoProbe, cluster);
    await n.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 5_000, targets: 'all' } }, ctx(cluster));
    pid = 8;
    const [healed] = await n.healAll(ctx(cluster));
    assert.deepEqual((healed?.details as { restartedSince: string[] }).restartedSince, ['n1', 'n2', 'n3']);
  });
});

/** Samples of a server whose clock is `offsetMs` ahead, read at a point inside each request. */
const samplesArb = fc
  .record({
    offsetMs: fc.integer({ min: -100_000_000, max: 100_000_000 }),
    startMs: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
    steps: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 400 }), rtt: fc.integer({ min: 0, max: 60 }), at: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 2, maxLength: 40 }),
  })
  .map(({ offsetMs, startMs, steps }) => {
    let t = startMs;
    const samples: DateSample[] = steps.map(({ gap, rtt, at }) => {
      const sentMs = t + gap;
      const receivedMs = sentMs + rtt;
      t = receivedMs;
      return { sentMs, receivedMs, dateSec: Math.floor((sentMs + at * rtt + offsetMs) / 1000) };
    });
    return { offsetMs, samples };
  });

describe('offset from the Date header', () => {
  it('when it gives an offset, the true one lies within its uncertainty (no false value)', () => {
    fc.assert(
      fc.property(samplesArb, ({ offsetMs, samples }) => {
        const m = offsetFromDateEdge(samples);
        if (m !== undefined) assert.ok(Math.abs(m.offsetMs - offsetMs) <= m.uncertaintyMs + 1, `${JSON.stringify(m)} vs ${offsetMs}`);
      }),
      { numRuns: 500 },
    );
  });

  it('it finds the edge whenever two consecutive samples straddle one (no miss), and never without one', () => {
    fc.assert(
      fc.property(samplesArb, ({ samples }) => {
        const straddles = samples.some((s, i) => i > 0 && s.dateSec === (samples[i - 1]?.dateSec ?? NaN) + 1);
        assert.equal(offsetFromDateEdge(samples) !== undefined, straddles);
      }),
      { numRuns: 500 },
    );
  });

  it('a measurement agrees with the offset asked for only within its uncertainty', () => {
    assert.equal(measurementAgrees(30_000, { offsetMs: 30_020, uncertaintyMs: 5 }), true);
    assert.equal(measurementAgrees(30_000, { offsetMs: 3, uncertaintyMs: 5 }), false);
    assert.equal(measurementAgrees(0, { offsetMs: -30_000, uncertaintyMs: 40 }), false);
  });
});
