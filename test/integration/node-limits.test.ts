import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider } from '../../src/cluster/docker/docker-provider.js';
import type { DockerNode } from '../../src/cluster/docker/docker-node.js';
import type { Cluster } from '../../src/cluster/node.js';
import { bringUp } from '../../src/systems/bring-up.js';
import { redis } from '../../src/systems/index.js';

/** A one-node Redis cluster under small limits: the engine records them, and the node cannot exceed them. */
describe('node resource limits', { timeout: 120_000 }, () => {
  let docker: Docker;
  let provider: DockerProvider;
  let cluster: Cluster | undefined;
  const limits = { memoryMiB: 128, cpus: 0.5, pids: 100 };

  before(async () => {
    docker = await connectDocker();
    provider = new DockerProvider(docker);
    const image = await provider.prepare({ name: redis.name, ...redis.install }, () => undefined);
    cluster = await bringUp(provider, redis, { nodes: 1, image, name: `it-limits-${process.pid}`, resources: limits });
  });
  after(async () => {
    if (cluster !== undefined) await provider.destroy(cluster.id);
  });

  const node = (): DockerNode => {
    const n = cluster?.nodes[0];
    assert.ok(n !== undefined, 'the cluster did not start');
    return n as DockerNode;
  };

  it('the container carries the memory (no swap beyond it), CPU and pids limits', async () => {
    const host = (await docker.getContainer(node().containerId).inspect()).HostConfig;
    assert.equal(host.Memory, 128 * 1024 * 1024);
    assert.equal(host.MemorySwap, 128 * 1024 * 1024);
    assert.equal(host.NanoCpus, 500_000_000);
    assert.equal(host.PidsLimit, 100);
  });

  it('a fork loop stops at the pids limit instead of exhausting the host', async () => {
    // 150 short sleepers wanted; init, `sleep infinity` and redis-server already count against the 100.
    const r = await node().exec(['sh', '-c', 'for i in $(seq 1 150); do sleep 3 & done; echo all-started'], { timeoutMs: 30_000 });
    assert.match(r.stderr, /Cannot fork/, `the loop never failed to fork: ${r.stdout} ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /all-started/);
    // The sleepers end by themselves; until then even `docker exec` may be refused.
    const until = Date.now() + 20_000;
    let count = Infinity;
    while (Date.now() < until && count > 10) {
      await new Promise((done) => setTimeout(done, 500));
      const ps = await node().exec(['sh', '-c', 'ls /proc | grep -c "^[0-9]"']).catch(() => undefined);
      if (ps?.exitCode === 0) count = Number(ps.stdout.trim());
    }
    assert.ok(count <= 10, `${count} processes still on the node`);
  });

  it('a process that allocates past the memory limit is killed, and the node stays up', async () => {
    // 256 MiB held in one process: twice the limit.
    const r = await node().exec(['sh', '-c', 'head -c 268435456 /dev/zero | tail > /dev/null; echo "exit $?"'], { timeoutMs: 60_000 });
    assert.match(r.stdout, /exit (137|1)\b/, `the allocation was not stopped: ${r.stdout} ${r.stderr}`);
    assert.equal((await node().exec(['true'])).exitCode, 0);
  });
});
