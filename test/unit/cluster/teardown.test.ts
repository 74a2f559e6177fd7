import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onInterrupt, runTeardown } from '../../../src/cluster/teardown.js';

describe('teardown registry', () => {
  it('runs what is still registered, newest first, once, and survives a failing action', async () => {
    const ran: string[] = [];
    onInterrupt('a', async () => void ran.push('a'));
    const unregisterB = onInterrupt('b', async () => void ran.push('b'));
    onInterrupt('c', async () => {
      ran.push('c');
      throw new Error('engine gone');
    });
    onInterrupt('d', async () => void ran.push('d'));
    unregisterB();
    const lines: string[] = [];
    await runTeardown((l) => lines.push(l));
    assert.deepEqual(ran, ['d', 'c', 'a']);
    assert.ok(lines.some((l) => l.includes('tearing down c failed: engine gone')));
    await runTeardown(() => undefined);
    assert.deepEqual(ran, ['d', 'c', 'a']);
  });
});
