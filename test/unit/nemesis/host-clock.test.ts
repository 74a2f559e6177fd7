import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type ClockReading,
  type HostClockSet,
  HOST_CLOCK_MARKER,
  dateArgument,
  localBootId,
  offsetFromSample,
  restoreClockScript,
  restoreHostClock,
  setClockScript,
  setHostClock,
  targetTimeMs,
} from '../../../src/cluster/host-clock.js';
import type { ExecResult, Node } from '../../../src/cluster/node.js';
import { RandomStreams } from '../../../src/generator/random.js';
import type { Json } from '../../../src/history/event.js';
import type { NemesisContext } from '../../../src/runner/nemesis.js';
import { type HostClockOps, hostClockNemesis } from '../../../nemesis/host-clock.js';

const BOOT = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('host clock commands', () => {
  it('date -s takes @seconds.millis; the target allows for the one-way delay', () => {
    assert.equal(dateArgument(1_700_000_000_123), '@1700000000.123');
    assert.equal(dateArgument(1_700_000_000_005.4), '@1700000000.005');
    assert.equal(dateArgument(1_700_000_001_000), '@1700000001.000');
    assert.throws(() => dateArgument(Number.NaN));
    assert.throws(() => dateArgument(-1));
    assert.equal(targetTimeMs(1_000_000, 60_000, 3), 1_060_003);
    assert.equal(targetTimeMs(1_000_000, -60_000, 3), 940_003);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const [sec, frac] = dateArgument(ms).slice(1).split('.');
        assert.equal(Number(sec) * 1000 + Number(frac), ms);
        assert.equal(frac?.length, 3);
      }),
    );
  });

  it('the offset of a reading is host minus the middle of the round trip, ± half of it', () => {
    assert.deepEqual(offsetFromSample(1000, 1010, 61_005), { offsetMs: 60_000, uncertaintyMs: 5 });
    assert.deepEqual(offsetFromSample(1000, 1000, 1000), { offsetMs: 0, uncertaintyMs: 0 });
    assert.throws(() => offsetFromSample(10, 9, 0), /cannot end/);
    // Reference: a host read its clock at some instant t in [before, after]; the true offset is within the bound.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -1e6, max: 1e6 }), (before, rtt, at, trueOffset) => {
        const t = before + at * rtt;
        const r = offsetFromSample(before, before + rtt, t + trueOffset);
        assert.ok(Math.abs(r.offsetMs - trueOffset) <= r.uncertaintyMs + 0.5, `${r.offsetMs} vs ${trueOffset} ± ${r.uncertaintyMs}`);
      }),
    );
  });

  it('the set script refuses on the control kernel before anything, writes the marker before setting, reads the clock after', () => {
    const s = setClockScript(1_700_000_060_000, 60_000, BOOT);
    const lines = s.split('\n');
    assert.match(lines[0] ?? '', new RegExp(`= "${BOOT}" \\]; then .*refused.*exit 3`));
    assert.ok(s.indexOf(HOST_CLOCK_MARKER) < s.indexOf('date -u -s'), 'marker first');
    assert.match(s, /echo 60000 > \/run\/faultline\/host-clock/);
    assert.match(s, /date -u -s @1700000060\.000 >\/dev\/null \|\| exit 4\ndate \+%s%N/);
    assert.throws(() => setClockScript(1, 0, 'x; rm -rf /'), /not a boot id/);
    const r = restoreClockScript(1_700_000_000_000, BOOT).split('\n');
    assert.match(r[0] ?? '', /\[ -e \/run\/faultline\/host-clock \] \|\| \{ echo unmoved; exit 0; \}/);
    assert.match(r[1] ?? '', /refused/);
    assert.ok(r.indexOf('rm -f /run/faultline/host-clock') > r.findIndex((l) => l.startsWith('date -u -s')), 'the marker goes only after the clock is set back');
  });

  it('on this machine the guard stops the script before `date` is ever run (a `date` stand-in records any call)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-hostclock-'));
    try {
      const calls = join(dir, 'calls');
      await writeFile(join(dir, 'date'), `#!/bin/sh\necho "$@" >> ${calls}\necho 1700000000000000000\n`);
      await chmod(join(dir, 'date'), 0o755);
      const r = spawnSync('sh', ['-c', setClockScript(Date.now() + 60_000, 60_000, await localBootId())], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8' });
      assert.equal(r.status, 3);
      assert.match(r.stderr, /refused: this host shares the kernel of the machine running faultline/);
      assert.equal(await readFile(calls, 'utf8').catch(() => ''), '', 'date was not run');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A host whose clock is simulated: it runs the scripts' `date -s` and `date +%s%N` against an offset from the real clock. */
function simulatedHost(name: string, oneWayMs: number): { node: Node; offset: () => number; marked: () => boolean } {
  let offsetMs = 123;
  let marker = false;
  const now = (): number => Date.now() + offsetMs;
  const ns = (): string => `${BigInt(Math.round(now())) * 1_000_000n}`;
  const node: Node = {
    name,
    address: '10.0.0.1',
    async exec(argv): Promise<ExecResult> {
      await new Promise((r) => setTimeout(r, oneWayMs));
      const script = argv[argv.length - 1] ?? '';
      const out: string[] = [];
      if (argv[0] === 'date') out.push(ns());
      else if (script.startsWith('if [ -e')) out.push(marker ? ns() : 'unmoved');
      else {
        if (script.startsWith('[ -e') && !marker) return { exitCode: 0, stdout: 'unmoved\n', stderr: '' };
        if (script.includes(`> ${HOST_CLOCK_MARKER}`)) marker = true;
        const set = /date -u -s @(\d+)\.(\d{3})/.exec(script);
        if (set !== undefined && set !== null) offsetMs = Number(set[1]) * 1000 + Number(set[2]) - Date.now();
        if (script.includes(`rm -f ${HOST_CLOCK_MARKER}`)) marker = false;
        out.push(ns());
      }
      await new Promise((r) => setTimeout(r, oneWayMs));
      return { exitCode: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
    },
    copyOut: async () => undefined,
    writeFile: async () => undefined,
  };
  return { node, offset: () => offsetMs, marked: () => marker };
}

describe('setting a host clock (simulated host, real delays)', () => {
  it('lands within the measured bound of control time + offset, and the reset sets it back and clears the marker', async () => {
    const h = simulatedHost('n1', 15);
    const set = await setHostClock(h.node, -30_000, BOOT);
    assert.equal(set.askedMs, -30_000);
    assert.ok(Math.abs(set.before.offsetMs - 123) <= set.before.uncertaintyMs + 1, JSON.stringify(set.before));
    // The one-way delay was allowed for: the host is at the offset asked, give or take the jitter of the timers.
    assert.ok(Math.abs(h.offset() + 30_000) <= 10, `host offset ${h.offset()}`);
    assert.ok(Math.abs(set.measured.offsetMs + 30_000) <= set.measured.uncertaintyMs + 10, JSON.stringify(set.measured));
    assert.ok(h.marked());
    const residual = await restoreHostClock(h.node, BOOT);
    assert.ok(residual !== undefined);
    assert.ok(Math.abs(h.offset()) <= 10, `host offset after the reset ${h.offset()}`);
    assert.ok(Math.abs(residual.offsetMs) <= residual.uncertaintyMs + 10, JSON.stringify(residual));
    assert.equal(h.marked(), false);
    assert.equal(await restoreHostClock(h.node, BOOT), undefined, 'an unmoved host is left alone');
  });
});

/** Hosts as the nemesis sees them: offsets, markers, and sets/restores that fail when the test says. */
class SimHosts implements HostClockOps {
  readonly offset = new Map<string, number>();
  readonly marker = new Set<string>();
  constructor(
    private readonly failSet: (node: string, call: number) => 'before-marker' | 'after-marker' | 'no',
    private readonly failRestore: (node: string, call: number) => boolean,
  ) {}
  private calls = 0;
  async set(node: string, offsetMs: number): Promise<HostClockSet> {
    const how = this.failSet(node, this.calls++);
    if (how === 'before-marker') throw new Error(`${node}: ssh dropped`);
    this.marker.add(node);
    if (how === 'after-marker') throw new Error(`${node}: date: cannot set date: Operation not permitted`);
    const before = { offsetMs: this.offset.get(node) ?? 0, uncertaintyMs: 1 };
    this.offset.set(node, offsetMs);
    return { askedMs: offsetMs, before, measured: { offsetMs, uncertaintyMs: 1 }, ntp: [] };
  }
  async restore(node: string): Promise<ClockReading | undefined> {
    if (this.failRestore(node, this.calls++)) throw new Error(`${node}: ssh dropped`);
    if (!this.marker.has(node)) return undefined;
    this.offset.set(node, 0);
    this.marker.delete(node);
    return { offsetMs: 0, uncertaintyMs: 1 };
  }
  moved(): string[] {
    return [...new Set([...this.marker, ...[...this.offset].filter(([, o]) => o !== 0).map(([n]) => n)])].sort();
  }
}

const NODES = ['n1', 'n2', 'n3'];
const context = (signal = new AbortController().signal): NemesisContext => ({ nodes: NODES, leader: async () => 'n1', rng: new RandomStreams(3).stream('faults'), signal });

describe('host clock nemesis', () => {
  it('a bump records per host what was measured, and applied:false with the reason where it failed', async () => {
    const hosts = new SimHosts((n) => (n === 'n2' ? 'after-marker' : 'no'), () => false);
    const nemesis = hostClockNemesis(NODES, hosts);
    const r = await nemesis.invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: 60_000, targets: 'all' } }, context());
    assert.equal(r.active, true);
    const details = r.details as Record<string, Json>;
    assert.equal(details['scope'], 'host');
    const per = details['hosts'] as Record<string, Record<string, Json>>;
    assert.deepEqual(per['n1'], { applied: true, askedMs: 60_000, measuredMs: 60_000, uncertaintyMs: 1, beforeMs: 0 });
    assert.deepEqual(per['n2'], { applied: false, reason: 'n2: date: cannot set date: Operation not permitted' });
    const healed = await nemesis.healAll(context());
    assert.deepEqual(hosts.moved(), []);
    assert.deepEqual((healed[0]?.details as Record<string, Json>)['reset'], { n1: { moved: true, residualMs: 0, uncertaintyMs: 1 }, n2: { moved: true, residualMs: 0, uncertaintyMs: 1 }, n3: { moved: true, residualMs: 0, uncertaintyMs: 1 } });
  });

  it('a bump on no host that moved is not active and says applied:false', async () => {
    const hosts = new SimHosts(() => 'before-marker', () => false);
    const r = await hostClockNemesis(NODES, hosts).invoke({ f: 'start-clock', value: { mode: 'bump', offsetMs: -5_000, targets: 'one' } }, context());
    assert.equal(r.active, false);
    assert.equal((r.details as Record<string, Json>)['applied'], false);
  });

  it('whatever happened before — bumps, strobes, stops, failed sets, failed resets, an abort — a heal that succeeds leaves every clock at control time, and one that fails names exactly the hosts still moved', async () => {
    const step = fc.oneof(
      fc.record({ f: fc.constant('start-clock'), mode: fc.constantFrom('bump', 'strobe'), offsetMs: fc.integer({ min: -100_000, max: 100_000 }), targets: fc.constantFrom('one', 'all', 'minority', 'majority', 'leader') }),
      fc.record({ f: fc.constant('stop-clock') }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 6 }),
        fc.array(fc.constantFrom<'before-marker' | 'after-marker' | 'no'>('no', 'no', 'before-marker', 'after-marker'), { minLength: 40, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        fc.boolean(),
        async (steps, setFailures, restoreFailures, abortStrobes) => {
          const hosts = new SimHosts((_, i) => setFailures[i % 40] ?? 'no', (_, i) => i < 30 && (restoreFailures[i] ?? false));
          const nemesis = hostClockNemesis(NODES, hosts);
          const abort = new AbortController();
          if (abortStrobes) abort.abort();
          for (const s of steps) {
            const value = 'mode' in s ? { mode: s.mode, offsetMs: s.offsetMs, targets: s.targets, periodMs: 10, durationMs: 40 } : null;
            const r = await nemesis.invoke({ f: s.f, value }, context(abort.signal)).catch(() => undefined);
            // No false claim: a start said active only if some host is moved now.
            if (r !== undefined && r.active) assert.ok(hosts.moved().length > 0);
          }
          // The heal is tried until it succeeds, as the runner's heal then the teardown's reset do; every failure names the hosts left moved.
          for (let attempt = 0; attempt < 40; attempt++) {
            const before = hosts.moved();
            try {
              await nemesis.healAll(context());
              assert.deepEqual(hosts.moved(), [], 'a heal that succeeded left a clock moved');
              return;
            } catch (err) {
              const named = NODES.filter((n) => new RegExp(`\\b${n}\\b`).test((err instanceof Error ? err.message : String(err)).split(':')[1] ?? ''));
              const after = hosts.moved();
              assert.ok(after.every((n) => named.includes(n)), `still moved ${after.join(',')} but the error named ${named.join(',')}: ${String(err)}`);
              assert.ok(after.every((n) => before.includes(n)));
            }
          }
          assert.fail('the heal never succeeded');
        },
      ),
      { numRuns: 150 },
    );
  });
});
