import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider } from '../../src/cluster/docker/docker-provider.js';
import { Label } from '../../src/cluster/labels.js';
import { InfrastructureError } from '../../src/errors.js';
import { bringUp } from '../../src/systems/bring-up.js';
import { startDaemon } from '../../src/systems/daemon.js';
import { type SystemDescriptor, etcd } from '../../src/systems/index.js';
import { labelled } from './cluster-helpers.js';

describe('a cluster that never becomes healthy', { timeout: 120_000 }, () => {
  it('fails naming the node and the end of its log, and removes the containers', async () => {
    const docker = await connectDocker();
    const provider = new DockerProvider(docker);
    const image = await provider.prepare({ name: etcd.name, ...etcd.install }, () => undefined);
    // n2's database process writes one line to the log and exits instead of starting etcd.
    const broken: SystemDescriptor = {
      ...etcd,
      start: (cluster, node) =>
        node.name === 'n2'
          ? startDaemon(node, { name: 'etcd', argv: ['sh', '-c', 'echo "simulated start-up failure on $(hostname)"; exit 1'], logFile: etcd.logFiles?.[0] ?? '' })
          : etcd.start(cluster, node),
    };
    const name = `it-unhealthy-${process.pid}`;
    await assert.rejects(
      bringUp(provider, broken, { nodes: 3, image, name, healthTimeoutMs: 3_000 }),
      (err: unknown) => {
        assert.ok(err instanceof InfrastructureError);
        assert.match(err.message, /^etcd cluster \w+ not healthy after \d+ s: n2: .+ \(its containers are removed\)$/);
        assert.match(err.hint ?? '', /n2:\/var\/log\/faultline\/etcd\.log/);
        assert.match(err.hint ?? '', /simulated start-up failure on n2/);
        return true;
      },
    );
    assert.deepEqual(await labelled(docker, `${Label.cluster}=${name}`), { containers: 0, networks: 0 });
  });
});
