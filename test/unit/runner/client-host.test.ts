import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ClientHosts } from '../../../src/runner/client-host.js';

const factory = { module: new URL('./client-host-factory.js', import.meta.url).href, payload: { delayMs: 5 } };
const never = new AbortController().signal;

describe('client processes (ClientHosts)', () => {
  const hosts = new ClientHosts(factory, 2);
  after(() => hosts.close());

  it('runs each worker\'s operations in its own process', async () => {
    await hosts.start();
    const a = await hosts.openClient('n1', 0, never);
    const b = await hosts.openClient('n2', 3, never);
    assert.deepEqual(await a.invoke({ f: 'read', value: 1 }, never), { type: 'ok', value: [0, 'n1', 1] });
    assert.deepEqual(await b.invoke({ f: 'read', value: 2 }, never), { type: 'ok', value: [3, 'n2', 2] });
  });

  it('a frozen worker does nothing until thawed; the other goes on', async () => {
    const a = await hosts.openClient('n1', 0, never);
    const b = await hosts.openClient('n1', 1, never);
    const pid = hosts.freeze(0);
    assert.equal(typeof pid, 'number');
    let done = false;
    const pending = a.invoke({ f: 'read', value: 3 }, never).then((o) => ((done = true), o));
    assert.equal((await b.invoke({ f: 'read', value: 4 }, never)).type, 'ok');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(done, false, 'a frozen process answered');
    hosts.thaw(0);
    assert.deepEqual(await pending, { type: 'ok', value: [0, 'n1', 3] });
  });

  it('an operation the runner gives up on is aborted in the child', async () => {
    const a = await hosts.openClient('n1', 0, never);
    const outcome = await a.invoke({ f: 'hang', value: null }, AbortSignal.timeout(100));
    assert.deepEqual(outcome, { type: 'info', error: 'timeout' });
  });

  it('a client library that throws ends its process, not the run: info, and a fresh process next time', async () => {
    const a = await hosts.openClient('n1', 2, never);
    const outcome = await a.invoke({ f: 'explode', value: null }, never);
    assert.deepEqual(outcome, { type: 'info', error: 'client library error: library exploded' });
    assert.match(hosts.crashes.join('\n'), /client process of worker 0 ended \(client library error: library exploded\)/);
    const again = await hosts.openClient('n1', 4, never);
    assert.deepEqual(await again.invoke({ f: 'read', value: 5 }, never), { type: 'ok', value: [4, 'n1', 5] });
  });
});

describe('reaping client processes a killed runner left frozen', () => {
  it('kills those whose owner is gone, stopped or not, and leaves those of a live runner', async () => {
    const { spawn } = await import('node:child_process');
    const { reapOrphanClientHosts } = await import('../../../src/runner/client-host.js');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const keepAlive = 'setInterval(() => {}, 1000)';
    const orphan = spawn(process.execPath, ['-e', keepAlive, '--', '--faultline-client-host', `--owner=${dead.pid}`]);
    const owned = spawn(process.execPath, ['-e', keepAlive, '--', '--faultline-client-host', `--owner=${process.pid}`]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      orphan.kill('SIGSTOP');
      const exited = new Promise((resolve) => orphan.on('exit', (_code, signal) => resolve(signal)));
      assert.deepEqual(await reapOrphanClientHosts(true), [orphan.pid], 'a dry run lists it');
      assert.deepEqual(await reapOrphanClientHosts(), [orphan.pid]);
      assert.equal(await exited, 'SIGKILL');
      assert.equal(owned.exitCode, null, 'a live runner\'s client process is left alone');
    } finally {
      orphan.kill('SIGKILL');
      owned.kill('SIGKILL');
    }
  });
});
