import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { LockCapability, RegisterCapability } from '../../src/runner/capabilities.js';
import { DefiniteFailure } from '../../src/runner/outcome.js';
import { type CapabilityClient } from '../../src/systems/client-options.js';
import { builtinSystem } from '../../src/systems/index.js';
import { eventually, node, type TestCluster } from './cluster-helpers.js';

/**
 * The same contract checks against every system's real 3-node cluster: register semantics
 * across two nodes, every read mode, lock mutual exclusion, TTL expiry and `close`. The
 * cluster is systemSuite's (shared with the system's other checks): keys carry this run's id.
 */
export interface SuiteOptions {
  /** Lock TTL for the expiry test, and how long expiry may take at most (system minimums differ). */
  readonly ttl?: { readonly ttlMs: number; readonly freedWithinMs: number };
  /** Extra system-specific cases, run after the shared ones (before teardown). */
  readonly extra?: (ctx: SuiteContext) => void;
}

export interface SuiteContext {
  cluster(): TestCluster;
  open(nodeIndex: number, readMode?: string): Promise<CapabilityClient>;
}

const CALL_TIMEOUT_MS = 5_000;

export const call = (ms = CALL_TIMEOUT_MS) => ({ signal: AbortSignal.timeout(ms) });

export function registerOf(c: CapabilityClient): RegisterCapability {
  assert.ok(c.capabilities.register !== undefined);
  return c.capabilities.register;
}

export function lockOf(c: CapabilityClient): LockCapability {
  assert.ok(c.capabilities.lock !== undefined);
  return c.capabilities.lock;
}

/** Whether `p` is still pending after `ms`. */
async function pendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r(marker), ms))]);
  return winner === marker;
}

export function capabilitySuite(systemName: string, cluster: () => TestCluster, options: SuiteOptions = {}): void {
  const provider = builtinSystem(systemName).client;
  const run = `${process.pid}-${Date.now()}`;
  const key = (name: string) => `${name}-${run}`;

  describe(`${systemName} capabilities on a real 3-node cluster`, { timeout: 240_000 }, () => {
    const opened: CapabilityClient[] = [];
    const ctx: SuiteContext = {
      cluster,
      async open(nodeIndex, readMode) {
        const tc = ctx.cluster();
        const c = await provider.open(tc.cluster, node(tc, nodeIndex), { readMode, lockTtlMs: 10_000, callTimeoutMs: CALL_TIMEOUT_MS });
        opened.push(c);
        return c;
      },
    };

    after(async () => {
      await Promise.all(opened.map((c) => c.close()));
    });

    it('register: write on one node, read on another; cas succeeds and fails definitely', async () => {
      const a = registerOf(await ctx.open(0));
      const b = registerOf(await ctx.open(1));
      const k = key('r');
      assert.equal(await b.read(key('absent'), call()), null);
      await a.write(k, 1, call());
      assert.equal(await b.read(k, call()), 1);
      assert.equal(await b.cas(k, 7, 8, call()), false, 'cas with the wrong expected value must fail');
      assert.equal(await b.cas(k, 1, 2, call()), true);
      assert.equal(await a.read(k, call()), 2);
      assert.equal(await a.cas(key('never-written'), 0, 1, call()), false, 'cas on a missing key must fail');
    });

    it('register: cas on a freshly created key checks its value (ZooKeeper version 0)', async () => {
      const a = registerOf(await ctx.open(0));
      const k = key('fresh');
      await a.write(k, 5, call());
      assert.equal(await a.cas(k, 4, 9, call()), false);
      assert.equal(await a.read(k, call()), 5);
      assert.equal(await a.cas(k, 5, 6, call()), true);
      assert.equal(await a.read(k, call()), 6);
    });

    it('register: every read mode is accepted and reads the value', async () => {
      const writer = registerOf(await ctx.open(0));
      const k = key('modes');
      await writer.write(k, 3, call());
      for (const { name: mode } of provider.readModes) {
        const reader = registerOf(await ctx.open(1, mode));
        // Non-linearizable modes may lag a moment behind the write.
        assert.equal(await eventually(() => reader.read(k, call()), (v) => v === 3), 3, mode);
      }
      await assert.rejects(ctx.open(0, 'no-such-mode'), /read mode/);
    });

    it('lock: a second acquire waits until release; a wrong token releases nothing; fences grow', async () => {
      const a = lockOf(await ctx.open(0));
      const b = lockOf(await ctx.open(1));
      const name = key('mutex');
      const { token, fence } = await a.acquire(name, 10_000, { ...call(), fence: true });
      const second = b.acquire(name, 10_000, { ...call(15_000), fence: true });
      assert.ok(await pendingAfter(second, 1_000), 'the second acquire must wait while the lock is held');
      // A token that never held: nothing is released (a malformed one is refused outright).
      const wrong = await a.release(name, `${token}-wrong`, call()).catch((err: unknown) => (err instanceof DefiniteFailure ? 'refused' : err));
      assert.ok(wrong === 'lost' || wrong === 'refused', `a wrong token's release: ${String(wrong)}`);
      assert.ok(await pendingAfter(second, 300), 'a wrong-token release must not free the lock');
      assert.equal(await a.release(name, token, call()), 'released');
      const grant2 = await second;
      assert.notEqual(grant2.token, token);
      assert.ok(fence !== undefined && grant2.fence !== undefined && grant2.fence > fence, `fences must grow: ${fence} then ${grant2.fence}`);
      assert.equal(await a.release(name, token, call()), 'lost', 'a released token no longer holds');
      assert.equal(await b.release(name, grant2.token, call()), 'released');
    });

    it('lock: an acquire that gives up (aborted) leaves the lock to others', async () => {
      const a = lockOf(await ctx.open(0));
      const b = lockOf(await ctx.open(1));
      const name = key('abort');
      const { token } = await a.acquire(name, 10_000, call());
      await assert.rejects(b.acquire(name, 10_000, call(800)), (err: Error) => ['TimeoutError', 'AbortError'].includes(err.name) || /abort|timeout/i.test(err.message));
      assert.equal(await a.release(name, token, call()), 'released');
      const c = lockOf(await ctx.open(2));
      assert.equal(await c.release(name, (await c.acquire(name, 10_000, call(10_000))).token, call()), 'released');
    });

    if (options.ttl !== undefined) {
      const { ttlMs, freedWithinMs } = options.ttl;
      it(`lock: the TTL (${ttlMs} ms) frees a lock nobody released; the late release finds it lost`, async () => {
        const a = lockOf(await ctx.open(0));
        const b = lockOf(await ctx.open(1));
        const name = key('ttl');
        const { token } = await a.acquire(name, ttlMs, call());
        const started = Date.now();
        const { token: token2 } = await b.acquire(name, ttlMs, call(freedWithinMs));
        assert.ok(Date.now() - started >= 500, 'the lock was free before its TTL');
        assert.equal(await a.release(name, token, call()), 'lost', 'an expired token no longer holds');
        assert.equal(await b.release(name, token2, call()), 'released');
      });
    }

    it('close frees the locks a client held', async () => {
      const holder = await ctx.open(0);
      const b = lockOf(await ctx.open(1));
      const name = key('close');
      await lockOf(holder).acquire(name, 60_000, call());
      await holder.close();
      const { token } = await b.acquire(name, 60_000, call(8_000));
      assert.equal(await b.release(name, token, call()), 'released');
    });

    options.extra?.(ctx);
  });
}
