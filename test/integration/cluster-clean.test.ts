import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { Label } from '../../src/cluster/labels.js';
import { cliPath, labelled, runCli } from './cluster-helpers.js';

/** Starts `faultline cluster up` and resolves once its first container exists (bounded). */
async function upUntilFirstContainer(name: string): Promise<ChildProcess> {
  const docker = await connectDocker();
  // ZooKeeper takes the longest to become healthy: the widest window to interrupt start-up.
  const child = spawn(process.execPath, [cliPath, 'cluster', 'up', '--system', 'zookeeper', '--nodes', '3', '--name', name], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if ((await labelled(docker, `${Label.cluster}=${name}`)).containers > 0) return child;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  assert.fail(`cluster up never created a container: ${stderr}`);
}

/** Interrupts `cluster up` with `signal` once it has created a container; resolves to its exit code. */
async function interruptUp(name: string, signal: NodeJS.Signals): Promise<number | null> {
  const child = await upUntilFirstContainer(name);
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

describe('clean-up after interrupted start-up', { timeout: 180_000 }, () => {
  it('SIGINT during `cluster up`: the CLI removes what it started and exits 130', async () => {
    const docker = await connectDocker();
    const name = `it-sigint-${process.pid}`;
    assert.equal(await interruptUp(name, 'SIGINT'), 130);
    assert.deepEqual(await labelled(docker, `${Label.cluster}=${name}`), { containers: 0, networks: 0 });
  });

  it('SIGKILL during `cluster up` leaves containers behind; `faultline clean` removes them (their CLI is gone)', async () => {
    const docker = await connectDocker();
    const name = `it-sigkill-${process.pid}`;
    assert.equal(await interruptUp(name, 'SIGKILL'), null);
    const left = await labelled(docker, `${Label.cluster}=${name}`);
    assert.ok(left.containers > 0 && left.networks === 1, `expected leftovers, found ${JSON.stringify(left)}`);
    // Only this test's cluster: the engine is shared, and `clean` with no pattern would judge everyone's.
    const { stdout } = await runCli(['clean', name]);
    const removed = /^removed (\d+) containers and (\d+) networks/m.exec(stdout);
    assert.ok(removed !== null, stdout);
    assert.ok(Number(removed[1]) >= left.containers && Number(removed[2]) >= left.networks, stdout);
    assert.deepEqual(await labelled(docker, `${Label.cluster}=${name}`), { containers: 0, networks: 0 });
  });
});
