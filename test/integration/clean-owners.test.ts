import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider, removeLabelled } from '../../src/cluster/docker/docker-provider.js';
import { redis } from '../../src/systems/index.js';
import { Label } from '../../src/cluster/labels.js';
import { cliExit } from './cli-process.js';
import { cliPath, labelled } from './cluster-helpers.js';

const prefix = `it-clean-${process.pid}`;

/** A cluster made by `cluster up`, SIGKILLed once its first container exists: its CLI is gone. */
async function orphan(docker: Docker, name: string): Promise<void> {
  const child = spawn(process.execPath, [cliPath, 'cluster', 'up', '--system', 'redis', '--nodes', '2', '--name', name], { stdio: 'ignore' });
  const until = Date.now() + 60_000;
  while ((await labelled(docker, `${Label.cluster}=${name}`)).containers === 0) {
    assert.ok(Date.now() < until && child.exitCode === null, 'cluster up never created a container');
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** A container and network labelled as another faultline made them: `owner` labels as given (none: an older faultline). */
async function foreign(docker: Docker, image: string, name: string, owner: Record<string, string>): Promise<void> {
  const id = randomBytes(4).toString('hex');
  const labels = { [Label.run]: id, [Label.cluster]: name, [Label.system]: 'redis', ...owner };
  await docker.createNetwork({ Name: `faultline-${id}`, Driver: 'bridge', Labels: labels });
  const c = await docker.createContainer({ name: `faultline-${id}-n1`, Image: image, Cmd: ['sleep', 'infinity'], Labels: { ...labels, [Label.node]: 'n1' }, HostConfig: { Init: true } });
  await c.start();
}

const count = async (docker: Docker, name: string): Promise<number> => (await labelled(docker, `${Label.cluster}=${name}`)).containers;

describe('`clean` removes only clusters whose CLI is gone', { timeout: 180_000 }, () => {
  after(async () => {
    const docker = await connectDocker();
    for (const suffix of ['dead', 'alive', 'elsewhere', 'unknown']) await removeLabelled(docker, { [Label.cluster]: `${prefix}-${suffix}` });
  });

  it('dead owner: removed; live CLI, another host, no owner recorded: kept (and listed by --dry-run); --all removes them', async (t) => {
    const docker = await connectDocker();
    const image = await new DockerProvider(docker).prepare({ name: redis.name, ...redis.install }, () => undefined);
    await orphan(docker, `${prefix}-dead`);
    // This test process is the live CLI of this one.
    await new DockerProvider(docker).create({ system: 'redis', nodes: 2, image, name: `${prefix}-alive` });
    await foreign(docker, image, `${prefix}-elsewhere`, { [Label.ownerPid]: '1', [Label.ownerHost]: 'another-host.example' });
    await foreign(docker, image, `${prefix}-unknown`, {});
    const pattern = `${prefix}-*`;

    const plan = await cliExit(['clean', '--dry-run', pattern]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`^would remove \\w+ ${prefix}-dead .*its CLI \\(pid \\d+ on this host\\) is gone$`, 'm'));
    assert.match(plan.stdout, new RegExp(`^would keep +\\w+ ${prefix}-alive .*its CLI \\(pid ${process.pid} on this host\\) is still running$`, 'm'));
    assert.match(plan.stdout, new RegExp(`^would keep +\\w+ ${prefix}-elsewhere .*made on host another-host\\.example`, 'm'));
    assert.match(plan.stdout, new RegExp(`^would keep +\\w+ ${prefix}-unknown .*no owner recorded`, 'm'));
    assert.ok((await count(docker, `${prefix}-dead`)) > 0, '--dry-run removed something');

    const t0 = Date.now();
    const cleaned = await cliExit(['clean', pattern]);
    t.diagnostic(`clean (one cluster to remove, three to keep): ${Date.now() - t0} ms`);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.match(cleaned.stdout, /^removed [1-2] containers and 1 networks \(1 clusters\)$/m);
    assert.equal(await count(docker, `${prefix}-dead`), 0);
    assert.deepEqual(await labelled(docker, `${Label.cluster}=${prefix}-dead`), { containers: 0, networks: 0 });
    assert.equal(await count(docker, `${prefix}-alive`), 2);
    assert.equal(await count(docker, `${prefix}-elsewhere`), 1);
    assert.equal(await count(docker, `${prefix}-unknown`), 1);

    const all = await cliExit(['clean', '--all', pattern]);
    assert.match(all.stdout, /^removed 4 containers and 3 networks \(3 clusters\)$/m);
    for (const suffix of ['alive', 'elsewhere', 'unknown']) assert.deepEqual(await labelled(docker, `${Label.cluster}=${prefix}-${suffix}`), { containers: 0, networks: 0 });
  });
});
