import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider } from '../../src/cluster/docker/docker-provider.js';
import type { Cluster, Node } from '../../src/cluster/node.js';
import type { Json } from '../../src/history/event.js';
import { RandomStreams } from '../../src/generator/random.js';
import type { NemesisContext } from '../../src/runner/nemesis.js';
import { bringUp } from '../../src/systems/bring-up.js';
import { builtinSystem } from '../../src/systems/index.js';
import { clockNemesis } from '../../nemesis/clock.js';
import { VDSO_CLOCK_PRIVILEGES, measurementAgrees } from '../../nemesis/vdso-clock.js';
import { faultEvents, runAndInspect } from './run-helpers.js';

type Measured = { offsetMs: number; uncertaintyMs: number } | { error: string };
type ClockDetails = {
  mode?: string;
  offsetMs?: number;
  applied?: boolean;
  reason?: string;
  via?: string;
  notApplied?: Record<string, string>;
  measuredMs?: Record<string, Measured>;
  measurementDisagrees?: string[];
  restartedSince?: string[];
};
const details = (v: Json): ClockDetails => ((v as { details?: ClockDetails }).details ?? {});

function assertMeasured(d: ClockDetails, expectedMs: number, names: readonly string[]): void {
  for (const n of names) {
    const m = d.measuredMs?.[n];
    assert.ok(m !== undefined && !('error' in m), `${n} was measured: ${JSON.stringify(m)}`);
    assert.ok(measurementAgrees(expectedMs, m), `${n}: measured ${m.offsetMs} ± ${m.uncertaintyMs} ms, expected ${expectedMs} ms`);
  }
  assert.equal(d.measurementDisagrees, undefined);
}

/** The database is still the process the fault started with, and its page holds offset 0. */
async function assertAliveAndHealed(node: Node, daemon: string): Promise<void> {
  const r = await node.exec(['sh', '-c', `p=$(cat /run/faultline/${daemon}.pid) && kill -0 "$p" && faultline-vdso-clock --show "$p"`]);
  assert.equal(r.exitCode, 0, `${node.name}: ${daemon} is not running: ${r.stderr}`);
  assert.equal((JSON.parse(r.stdout) as { offsetNs: number }).offsetNs, 0, `${node.name}: ${r.stdout}`);
}

const runArgs = (system: string, seed: number): string[] => [
  '--system', system, '--workload', 'register', '--nemesis', 'clock', '--clock-skew', '30', '--nemesis-interval', '2',
  '--nodes', '3', '--concurrency', '4', '--time-limit', '10', '--settle', '1', '--seed', String(seed),
];

/** A run under vDSO clock faults: each one applied and measured at its offset, each heal at 0, the register still valid. */
async function clockRun(system: string, seed: number): Promise<{ runDir: string; bumps: ClockDetails[] }> {
  const run = await runAndInspect(runArgs(system, seed), (node) => assertAliveAndHealed(node, system));
  assert.equal(run.results.verdict, 'valid', JSON.stringify(run.results.checkers).slice(0, 2000));
  const testJson = JSON.parse(await readFile(join(run.runDir, 'test.json'), 'utf8')) as { privileges?: Json };
  assert.deepEqual(testJson.privileges, { capAdd: ['SYS_PTRACE'], devices: [], for: ['clock'] });
  const starts = faultEvents(run.history, 'start-clock').map((e) => ({ targets: (e.value as { targets: string[] }).targets, d: details(e.value) }));
  assert.ok(starts.length >= 2, 'clock faults were drawn');
  for (const { targets, d } of starts) {
    assert.equal(d.via, 'vdso');
    assert.equal(d.applied, true, d.reason ?? JSON.stringify(d.notApplied));
    assertMeasured(d, d.offsetMs ?? NaN, targets);
  }
  const heals = [...faultEvents(run.history, 'stop-clock').map((e) => details(e.value)), ...faultEvents(run.history, 'heal-all').flatMap((e) => (e.value as Json[]).map(details))];
  assert.ok(heals.length >= 1);
  for (const d of heals) {
    assertMeasured(d, 0, ['n1', 'n2', 'n3']);
    assert.equal(d.restartedSince, undefined, 'no database restarted under the fault');
  }
  return { runDir: run.runDir, bumps: starts.filter((s) => s.d.mode === 'bump').map((s) => s.d) };
}

describe('clock faults on Go servers (faultline-vdso-clock)', () => {
  it('etcd: bumps of ±30 s are measured at ±30 s (and etcd itself sees them), heals at 0, the register stays valid', async () => {
    const { runDir, bumps } = await clockRun('etcd', 3);
    assert.ok(bumps.length >= 1, 'at least one bump');
    // etcd's own peer prober compares clocks: the node moved by 30 s says so in its log.
    const logs = await Promise.all(['n1', 'n2', 'n3'].map((n) => readFile(join(runDir, 'nodes', n, 'etcd.log'), 'utf8').catch(() => '')));
    const differences = logs.join('\n').match(/clock difference against peer \S+ is too high \[([\d.]+)s/g) ?? [];
    assert.ok(differences.length >= 1, 'etcd noticed the clock difference');
    for (const line of differences) {
      const seconds = Number(/\[([\d.]+)s/.exec(line)?.[1]);
      assert.ok(Math.abs(seconds - 30) < 1, line);
    }
  });

  it('consul: the same through its HTTP API\'s Date header; the register stays valid', async () => {
    const { bumps } = await clockRun('consul', 3);
    assert.ok(bumps.length >= 1, 'at least one bump');
  });

  describe('one etcd node, by hand', () => {
    let cluster: Cluster | undefined;
    let provider: DockerProvider | undefined;
    const system = builtinSystem('etcd');
    const ctx = (c: Cluster): NemesisContext => ({ nodes: c.nodes.map((n) => n.name), leader: async () => undefined, rng: new RandomStreams(1).stream('faults'), signal: new AbortController().signal });

    before(async () => {
      provider = new DockerProvider(await connectDocker());
      const image = await provider.prepare({ name: system.name, ...system.install }, () => undefined);
      cluster = await bringUp(provider, system, { nodes: 1, image, name: `it-goclock-${process.pid}`, privileges: VDSO_CLOCK_PRIVILEGES });
    });
    after(async () => {
      if (cluster !== undefined) await provider?.destroy(cluster.id);
    });

    it('a paused process is left alone and the fault says so; then a bump moves it, and heal brings it back', async () => {
      const c = cluster!;
      const node = c.nodes[0]!;
      const nemesis = clockNemesis(system, c);
      const pid = (await node.exec(['cat', '/run/faultline/etcd.pid'])).stdout.trim();
      await system.pause!(node);
      try {
        const r = await nemesis.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 30_000, targets: 'all' } }, ctx(c));
        assert.equal(r.active, false);
        assert.equal((r.details as ClockDetails).applied, false);
        assert.match(String((r.details as ClockDetails).reason), /stopped \(paused\)/);
      } finally {
        await system.resume!(node);
      }
      const bump = await nemesis.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 30_000, targets: 'all' } }, ctx(c));
      assert.equal(bump.active, true);
      assertMeasured(bump.details as ClockDetails, 30_000, ['n1']);
      const back = await nemesis.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: -5_000, targets: 'all' } }, ctx(c));
      assertMeasured(back.details as ClockDetails, -5_000, ['n1']);
      // A strobe: measured at the offset on its first flip, flipped at least twice, ends at real time.
      const strobe = await nemesis.invoke({ f: 'start-clock', value: { mode: 'strobe', offsetMs: 30_000, periodMs: 100, durationMs: 1_000, targets: 'all' } }, ctx(c));
      assert.equal((strobe.details as ClockDetails).applied, true);
      assertMeasured(strobe.details as ClockDetails, 30_000, ['n1']);
      assert.ok(((strobe.details as { flips?: number }).flips ?? 0) >= 2);
      await assertAliveAndHealed(node, 'etcd');
      const again = await nemesis.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 10_000, targets: 'all' } }, ctx(c));
      assertMeasured(again.details as ClockDetails, 10_000, ['n1']);
      const [healed] = await nemesis.healAll(ctx(c));
      assertMeasured(healed?.details as ClockDetails, 0, ['n1']);
      assert.equal((await node.exec(['cat', '/run/faultline/etcd.pid'])).stdout.trim(), pid, 'the same etcd process throughout');
      await assertAliveAndHealed(node, 'etcd');
      // It still serves: a write and a read through etcdctl.
      const rw = await node.exec(['sh', '-c', 'ETCDCTL_API=3 etcdctl put goclock ok >/dev/null && ETCDCTL_API=3 etcdctl get --print-value-only goclock']);
      assert.equal(rw.stdout.trim(), 'ok', rw.stderr);
    });
  });
});
