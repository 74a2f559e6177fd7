import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import type { Node } from '../../../src/cluster/node.js';
import { ZK_PORT } from '../../../src/systems/zookeeper/config.js';
import { connectZookeeper } from '../../../src/systems/zookeeper/server.js';

/** A node reached only over TCP here: nothing runs on it. */
function loopbackNode(address: string): Node {
  const no = (): Promise<never> => Promise.reject(new Error('not a container'));
  return { name: 'n1', address, exec: no, copyOut: no, writeFile: no };
}

/**
 * The library retries a server that refuses or closes the connection forever, silently; the
 * open must fail at once instead (a killed node; one electing or without quorum closes every
 * client connection), not after its 10 s bound — under kills that wait ate most of a run.
 */
describe('connectZookeeper: a server that ends the connection before a session', () => {
  it('a refused connection (nothing listening: a killed node) fails at once', async () => {
    const started = Date.now();
    await assert.rejects(connectZookeeper(loopbackNode('127.0.0.2')), /ended the connection before a session existed/);
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  });

  it('a connection closed on arrival (a server not serving) fails at once', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ZK_PORT, '127.0.0.3', resolve));
    try {
      const started = Date.now();
      await assert.rejects(connectZookeeper(loopbackNode('127.0.0.3')), /ended the connection before a session existed/);
      assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
