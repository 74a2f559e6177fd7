import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { Label } from '../../src/cluster/labels.js';
import { labelled } from './cluster-helpers.js';
import { cliExit, removeRunLeftovers, runContainers, startCli } from './cli-process.js';

/** The run directory `latest` points at, for the one test in `store`. */
async function latestRun(store: string): Promise<string> {
  const [test] = await readdir(store);
  assert.ok(test !== undefined, 'no test directory in the store');
  return join(store, test, await readlink(join(store, test, 'latest')));
}

const short = ['--system', 'redis', '--workload', 'register', '--nodes', '3', '--concurrency', '4', '--op-timeout', '1', '--seed', '3'];

describe('runs that lose a node or their reader', { timeout: 240_000 }, () => {
  const names: string[] = [];
  after(async () => {
    const docker = await connectDocker();
    for (const name of names) await removeRunLeftovers(docker, name);
  });

  it('a node killed mid-run (docker kill) and one removed: the others\' logs and the killed one\'s are copied, the removed one is recorded as missing', async () => {
    const docker = await connectDocker();
    const name = `it-deadnode-${process.pid}`;
    names.push(name);
    const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-deadnode-')));
    const cli = startCli(['run', ...short, '--time-limit', '12', '--name', name, '--store', store]);
    await cli.waitForLine(/running register/, 90_000);
    const containers = await runContainers(docker, name);
    assert.equal(containers.size, 3);
    // Limits are on by default (item 7), recorded in test.json below.
    const host = (await docker.getContainer(containers.get('n1')!.Id).inspect()).HostConfig;
    assert.deepEqual([host.Memory, host.NanoCpus, host.PidsLimit], [1024 * 1024 * 1024, 1e9, 4096]);
    await new Promise((r) => setTimeout(r, 2_000));
    await docker.getContainer(containers.get('n2')!.Id).kill();
    await docker.getContainer(containers.get('n3')!.Id).remove({ force: true });
    const { code } = await cli.exited;
    assert.ok(code !== null && [0, 1, 2].includes(code), `exit ${code}: ${cli.lines.slice(-10).join('\n')}`);

    const runDir = await latestRun(store);
    const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as { nodeLogs: { copied: string[]; missing: { node: string; file: string; error: string }[] }; errors: string[] };
    assert.deepEqual(results.nodeLogs.copied, ['nodes/n1/redis.log', 'nodes/n2/redis.log']);
    for (const copied of results.nodeLogs.copied) assert.ok((await stat(join(runDir, copied))).size > 0, `${copied} is empty`);
    assert.deepEqual(results.nodeLogs.missing.map((m) => [m.node, m.file]), [['n3', '/var/log/faultline/redis.log']]);
    assert.match(results.nodeLogs.missing[0]!.error, /no such container/i);
    assert.ok(results.errors.some((e) => /^n3: log \/var\/log\/faultline\/redis\.log not copied/.test(e)), results.errors.join('\n'));
    const spec = (JSON.parse(await readFile(join(runDir, 'test.json'), 'utf8')) as { spec: Record<string, unknown> }).spec;
    assert.deepEqual([spec['nodeMemoryMiB'], spec['nodeCpus'], spec['nodePids']], [1024, 1, 4096]);
    assert.deepEqual(await labelled(docker, `${Label.cluster}=run-${name}`), { containers: 0, networks: 0 });
  });

  it('the reader goes away mid-run (EPIPE on stdout and stderr): the run stops as after SIGTERM — healed, checked, torn down, exit 130', async (t) => {
    const docker = await connectDocker();
    const name = `it-epipe-${process.pid}`;
    names.push(name);
    const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-epipe-')));
    const cli = startCli(['run', ...short, '--nemesis', 'partition', '--nemesis-interval', '2', '--time-limit', '60', '--settle', '1', '--name', name, '--store', store], { stdout: 'pipe' });
    await cli.waitForLine(/running register/, 90_000);
    await new Promise((r) => setTimeout(r, 4_000));
    // As `| head` does once it has its lines: both pipes lose their reader.
    const closedAt = Date.now();
    cli.child.stdout?.destroy();
    cli.child.stderr?.destroy();
    const { code, at } = await cli.exited;
    assert.equal(code, 130);
    const seconds = (at - closedAt) / 1000;
    assert.ok(seconds < 30, `exited ${seconds} s after its reader went away`);
    t.diagnostic(`EPIPE mid-run: exit ${code} ${seconds.toFixed(1)} s after the reader went away`);

    assert.deepEqual(await labelled(docker, `${Label.cluster}=run-${name}`), { containers: 0, networks: 0 });
    const runDir = await latestRun(store);
    const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as { stopReason: string; verdict: string };
    assert.equal(results.stopReason, 'interrupted');
    const history = (await readFile(join(runDir, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { process: unknown; f: string; type: string });
    assert.ok(history.some((e) => e.process === 'nemesis' && e.f === 'heal-all' && e.type === 'info'), 'the faults were healed');
    const check = await cliExit(['check', join(runDir, 'history.jsonl'), '--model', 'cas-register']);
    assert.ok(check.code !== null && [0, 1, 2].includes(check.code), `check exited ${check.code}: ${check.stderr}`);
  });
});
