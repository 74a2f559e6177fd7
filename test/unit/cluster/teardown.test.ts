import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
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

describe('teardown on a crash', () => {
  it('an uncaught exception runs the registered clean-up, then exits 5', async () => {
    const moduleUrl = new URL('../../../src/cluster/teardown.js', import.meta.url).href;
    const extension = existsSync(fileURLToPath(moduleUrl)) ? '.js' : '.ts';
    const dir = await mkdtemp(join(tmpdir(), 'faultline-crash-'));
    const marker = join(dir, 'torn-down');
    const script = [
      `const { onInterrupt } = await import(${JSON.stringify(moduleUrl.replace(/\.js$/, extension))});`,
      `const { writeFileSync } = await import('node:fs');`,
      `onInterrupt('cluster', async (why) => writeFileSync(${JSON.stringify(marker)}, why.kind + ': ' + why.error));`,
      `setTimeout(() => { throw new Error('client library exploded'); }, 10);`,
    ].join('\n');
    const r = await execa(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { reject: false });
    assert.equal(r.exitCode, 5, r.stderr);
    assert.match(r.stderr, /internal error \(crash\): client library exploded/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace unless FAULTLINE_DEBUG is set');
    assert.match(r.stderr, /after an internal error, tearing down cluster/);
    // The clean-up is told it runs after a crash: a run then ends `unknown`, never valid.
    assert.equal(await readFile(marker, 'utf8'), 'crash: client library exploded');
  });
});
