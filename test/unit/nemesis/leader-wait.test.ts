import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awaitLeader, noLeaderReason } from '../../../nemesis/leader-wait.js';

/** A lookup that answers "none" `misses` times, then `leader`; counts its calls. */
function electing(misses: number, leader: string | undefined = 'n2'): { lookup: () => Promise<string | undefined>; calls: () => number } {
  let calls = 0;
  return { lookup: async () => (calls++ < misses ? undefined : leader), calls: () => calls };
}

describe('waiting for a leader before aiming a fault at it', () => {
  it('returns the leader at once when one is known', async () => {
    const w = await awaitLeader(electing(0).lookup, new AbortController().signal, 1000, 50);
    assert.deepEqual({ leader: w.leader, lookups: w.lookups }, { leader: 'n2', lookups: 1 });
    assert.ok(w.waitedMs < 50);
  });

  it('polls through an election and returns the leader once one appears', async () => {
    const e = electing(3);
    const w = await awaitLeader(e.lookup, new AbortController().signal, 2000, 20);
    assert.equal(w.leader, 'n2');
    assert.equal(w.lookups, 4);
    assert.equal(e.calls(), 4);
    // Upper bounds are loose: unit test files run side by side on a loaded machine.
    assert.ok(w.waitedMs >= 60 && w.waitedMs < 3000, `${w.waitedMs} ms`);
  });

  it('gives up after the wait when no leader appears, and says how long it looked', async () => {
    const started = Date.now();
    const w = await awaitLeader(electing(Infinity).lookup, new AbortController().signal, 300, 50);
    const took = Date.now() - started;
    assert.equal(w.leader, undefined);
    assert.ok(took >= 250 && took < 3000, `${took} ms`);
    // 300 ms at one lookup per 50 ms: at most 7; a timer delayed by load means fewer, but several.
    assert.ok(w.lookups >= 3 && w.lookups <= 7, `${w.lookups} lookups`);
    assert.match(noLeaderReason(w), /^no leader known after waiting \d+\.\d s \(\d lookups\)$/);
  });

  it('a lookup that hangs or fails cannot hold the wait past its bound; the last error is kept', async () => {
    const started = Date.now();
    const hung = await awaitLeader(() => new Promise<string | undefined>(() => undefined), new AbortController().signal, 200, 50);
    assert.equal(hung.leader, undefined);
    assert.ok(Date.now() - started < 3000);
    const failing = await awaitLeader(async () => Promise.reject(new Error('connection refused')), new AbortController().signal, 120, 50);
    assert.equal(failing.leader, undefined);
    assert.match(noLeaderReason(failing), /\(last lookup: connection refused\)$/);
  });

  it('stops when the run is torn down', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const started = Date.now();
    const w = await awaitLeader(electing(Infinity).lookup, stop.signal, 10_000, 20);
    assert.equal(w.leader, undefined);
    assert.ok(Date.now() - started < 1000);
  });
});
