import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientHosts } from '../../../src/runner/client-host.js';
import { cpuTimeMs, giveUpReason } from '../../../src/runner/client-host-start.js';
import { InfrastructureError } from '../../../src/errors.js';

const limits = { stallMs: 30_000, maxMs: 180_000, pollMs: 1_000 };
const factory = (payload: object): { module: string; payload: object } => ({ module: new URL('./client-host-factory.js', import.meta.url).href, payload: { delayMs: 1, ...payload } });

describe('starting a client process: slow is not stuck', () => {
  it('a child that keeps using CPU is waited for up to the cap, however long that takes', () => {
    // 60 s in, last CPU progress a second ago: a loaded machine, not a broken child.
    assert.equal(giveUpReason({ elapsedMs: 60_000, cpuMs: 900, lastProgressMs: 59_000 }, limits, 21), undefined);
    assert.equal(giveUpReason({ elapsedMs: 179_000, cpuMs: 9_000, lastProgressMs: 178_500 }, limits, 21), undefined);
    const capped = giveUpReason({ elapsedMs: 180_000, cpuMs: 9_000, lastProgressMs: 179_500 }, limits, 21);
    assert.equal(capped, 'it was still starting after 180 s, having used 9.0 s of CPU (load average 21.0)');
  });

  it('a child that used no CPU for the stall limit is stuck, at any load', () => {
    assert.equal(giveUpReason({ elapsedMs: 29_999, cpuMs: 400, lastProgressMs: 0 }, limits, 2), undefined);
    assert.equal(giveUpReason({ elapsedMs: 40_000, cpuMs: 400, lastProgressMs: 10_000 }, limits, 2), 'it used no CPU for 30 s, having used 0.4 s of CPU in 40 s: it is stuck, not slow (load average 2.0)');
  });

  it('where /proc cannot tell the CPU time, only the cap applies', () => {
    assert.equal(giveUpReason({ elapsedMs: 100_000, cpuMs: undefined, lastProgressMs: 0 }, limits, 1), undefined);
    assert.match(giveUpReason({ elapsedMs: 180_000, cpuMs: undefined, lastProgressMs: 0 }, limits, 1) ?? '', /^it was still starting after 180 s \(load/);
  });

  it('reads a real process\'s CPU time from /proc, and none for a process that does not exist', () => {
    const mine = cpuTimeMs(process.pid);
    assert.ok(mine !== undefined && mine > 0, String(mine));
    assert.equal(cpuTimeMs(2 ** 22 + 17), undefined);
  });

  it('ClientHosts: a child stuck while starting fails the start with an infrastructure error that says so', async () => {
    const hosts = new ClientHosts(factory({ startMs: 60_000 }), 1, { stallMs: 800, maxMs: 20_000, pollMs: 100 });
    const t0 = Date.now();
    await assert.rejects(hosts.start(), (err: unknown) => {
      assert.ok(err instanceof InfrastructureError);
      assert.match(err.message, /^a client process \(pid \d+\) of worker 0 did not start: it used no CPU for \d+ s, having used [\d.]+ s of CPU in \d+ s: it is stuck, not slow/);
      return true;
    });
    assert.ok(Date.now() - t0 < 15_000, 'gave up on the stall, not the cap');
    await hosts.close();
  });

  it('ClientHosts: a child that works longer than the stall limit while starting is waited for', async () => {
    const hosts = new ClientHosts(factory({ startMs: 2_500, startBusy: true }), 1, { stallMs: 1_000, maxMs: 30_000, pollMs: 100 });
    try {
      await hosts.start();
      const c = await hosts.openClient('n1', 0, new AbortController().signal);
      assert.deepEqual(await c.invoke({ f: 'read', value: 1 }, new AbortController().signal), { type: 'ok', value: [0, 'n1', 1] });
    } finally {
      await hosts.close();
    }
  });

  it('ClientHosts: a child over the cap fails the start, even while working', async () => {
    const hosts = new ClientHosts(factory({ startMs: 30_000, startBusy: true }), 1, { stallMs: 10_000, maxMs: 1_500, pollMs: 100 });
    await assert.rejects(hosts.start(), /did not start: it was still starting after \d+ s, having used [\d.]+ s of CPU \(load average/);
    await hosts.close();
  });
});
