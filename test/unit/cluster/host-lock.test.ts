import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { ACQUIRE_SCRIPT, HOST_LOCK, type HostLock, READ_SCRIPT, RELEASE_SCRIPT, describeHolder, isStale, lockRecord, parseLock, pidAlive } from '../../../src/cluster/ssh/host-lock.js';

const BOOT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const lock = (o: Partial<HostLock> = {}): HostLock => ({ ...lockRecord({ cluster: 'c0ffee00', name: 'etcd-c0ffee00', system: 'etcd', nodes: ['n1', 'n2'], holder: 'run', bootId: BOOT, createdAt: new Date(0) }), ...o });

describe('host locks', () => {
  it('a lock round-trips through its JSON; anything else is no readable lock', () => {
    const l = lock();
    assert.deepEqual(parseLock(`${JSON.stringify(l)}\n`), l);
    assert.equal(l.pid, process.pid);
    for (const bad of ['', 'x', '{}', '[]', 'null', JSON.stringify({ ...l, holder: 'me' }), JSON.stringify({ ...l, pid: '1' }), JSON.stringify({ ...l, nodes: [1] })]) assert.equal(parseLock(bad), undefined, bad);
    assert.match(describeHolder(l), /^run on cluster c0ffee00 \(etcd-c0ffee00\), etcd, from \S+ pid \d+ since 1970-01-01T00:00:00\.000Z$/);
  });

  it('stale: a run of this control machine whose process is gone or whose boot is over; never a `cluster up` lock or another machine\'s run', () => {
    const here = { bootId: BOOT, control: lock().control, alive: (pid: number) => pid === process.pid };
    assert.equal(isStale(undefined, here), true, 'an unreadable lock says no one');
    assert.equal(isStale(lock(), here), false, 'this very process');
    assert.equal(isStale(lock({ pid: 999_999_999 }), here), true);
    assert.equal(isStale(lock({ bootId: 'other' }), here), true, 'the control machine rebooted since');
    assert.equal(isStale(lock({ holder: 'cluster', pid: 999_999_999 }), here), false);
    assert.equal(isStale(lock({ control: 'elsewhere', pid: 999_999_999 }), here), false);
    // Reference, both ways: stale exactly when it is this machine's run and (another boot or a dead pid).
    fc.assert(
      fc.property(fc.constantFrom<'run' | 'cluster'>('run', 'cluster'), fc.boolean(), fc.boolean(), fc.boolean(), (holder, sameControl, sameBoot, alive) => {
        const l = lock({ holder, control: sameControl ? here.control : 'other-host', bootId: sameBoot ? BOOT : 'b', pid: 42 });
        assert.equal(isStale(l, { ...here, alive: () => alive }), holder === 'run' && sameControl && (!sameBoot || !alive));
      }),
    );
    assert.equal(pidAlive(process.pid), true);
    assert.equal(pidAlive(2 ** 22 + 12345), false);
  });

  describe('the scripts, run in sh against a file of their own', () => {
    let dir: string;
    let file: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faultline-lock-'));
      file = join(dir, 'faultline.lock');
    });
    after(() => rm(dir, { recursive: true, force: true }));
    const sh = async (script: string, ...args: string[]): Promise<string> => (await promisify(execFile)('sh', ['-c', script.replaceAll(HOST_LOCK, file), 'sh', ...args])).stdout.trim();

    it('one taker wins, even at once; only the holder releases; a stale holder is taken over only while it still holds', async () => {
      const a = JSON.stringify(lock({ cluster: 'aaaa0000' }));
      const b = JSON.stringify(lock({ cluster: 'bbbb0000' }));
      const c = JSON.stringify(lock({ cluster: 'cccc0000' }));
      const results = await Promise.all([sh(ACQUIRE_SCRIPT, a, ''), sh(ACQUIRE_SCRIPT, b, ''), sh(ACQUIRE_SCRIPT, c, '')]);
      assert.equal(results.filter((r) => r === 'acquired').length, 1, results.join(' | '));
      const winner = [a, b, c][results.indexOf('acquired')] ?? '';
      for (const r of results.filter((x) => x !== 'acquired')) assert.equal(r, `held\n${winner}`);
      assert.equal(await sh(READ_SCRIPT), winner);
      const loser = winner === a ? b : a;
      const loserId = parseLock(loser)?.cluster ?? '';
      assert.equal(await sh(RELEASE_SCRIPT, loserId), 'not-held');
      assert.equal((await readFile(file, 'utf8')).trim(), winner);
      // A take-over that names the wrong holder (it changed meanwhile) fails; the right one succeeds.
      assert.equal(await sh(ACQUIRE_SCRIPT, loser, JSON.stringify(lock({ cluster: 'dddd0000' }))), `held\n${winner}`);
      assert.equal(await sh(ACQUIRE_SCRIPT, loser, winner), 'acquired');
      assert.equal(await sh(RELEASE_SCRIPT, loserId), 'released');
      assert.equal(await sh(READ_SCRIPT), '');
      assert.equal(await sh(RELEASE_SCRIPT, loserId), 'not-held');
    });
  });
});
