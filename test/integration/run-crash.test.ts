import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { Label } from '../../src/cluster/labels.js';
import { packageRoot } from '../../src/version.js';
import { labelled } from './cluster-helpers.js';

interface Results {
  verdict: string;
  cluster: { id: string };
  verdictReasons?: string[];
  errors: string[];
}

/**
 * The CLI in a process of its own, with `inject` run beside it (a crash on a timer, a
 * client-library error): what a user would see, exit code, results.json and history.
 */
async function runWith(inject: string, args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string; results: Results; history: string }> {
  const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-crash-')));
  const dist = join(packageRoot, 'dist', 'src');
  // `whenRunning(ms, f)`: f, ms after the history file appeared (the cluster is up, the workload has begun).
  const script = [
    `import { main } from ${JSON.stringify(join(dist, 'cli', 'main.js'))};`,
    `import { injectZookeeperSocketError } from ${JSON.stringify(join(dist, 'systems', 'zookeeper', 'guard.js'))};`,
    `import { existsSync, readdirSync } from 'node:fs';`,
    `const running = () => readdirSync(${JSON.stringify(store)}).some((t) => existsSync(${JSON.stringify(store)} + '/' + t + '/latest/history.jsonl'));`,
    `const whenRunning = (ms, f) => { const poll = setInterval(() => { if (running()) { clearInterval(poll); setTimeout(f, ms); } }, 100); };`,
    inject,
    `process.exitCode = await main(['node', 'faultline', 'run', ...${JSON.stringify([...args, '--store', store, '--json'])}]);`,
  ].join('\n');
  const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 180_000 }).then(
    (out) => ({ ...out, exitCode: 0 }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', exitCode: err.code ?? -1 }),
  );
  const [test] = await readdir(store);
  assert.ok(test !== undefined, `no run directory: ${r.stderr.slice(-1500)}`);
  const runDir = join(store, test, await readlink(join(store, test, 'latest')));
  const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as Results;
  return { ...r, results, history: await readFile(join(runDir, 'history.jsonl'), 'utf8') };
}

const base = ['--system', 'zookeeper', '--workload', 'register', '--nodes', '3', '--concurrency', '6', '--time-limit', '14', '--op-timeout', '2', '--seed', '3'];

describe('runs that meet an exception', () => {
  it('a client library throwing from its socket handler resets that connection: info operations, a completed run', async () => {
    // The error ZooKeeper's client throws on a reply it cannot parse, injected into its socket handler.
    const r = await runWith("for (const at of [2000, 4000, 6000]) whenRunning(at, () => injectZookeeperSocketError());", base);
    assert.equal(r.exitCode, 0, r.stderr.slice(-1500));
    assert.equal(r.results.verdict, 'valid');
    assert.equal(r.results.errors.filter((e) => /ZooKeeper client library threw in onSocketData \(Unknown code: -621412352\)/.test(e)).length, 3, r.results.errors.join('\n'));
    assert.match(r.history, /"type":"info"[^\n]*"error":"connection-loss"/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a crash elsewhere in the process ends the run as unknown, recorded, torn down, exit 5', async () => {
    const r = await runWith("whenRunning(3000, () => { throw new Error('injected crash'); });", base);
    assert.equal(r.exitCode, 5, r.stderr.slice(-1500));
    assert.equal(r.results.verdict, 'unknown');
    assert.match((r.results.verdictReasons ?? []).join(' '), /the run did not finish: faultline crashed \(injected crash\)/);
    // Whatever reached stdout before the exit says the same.
    if (r.stdout.trim() !== '') assert.equal((JSON.parse(r.stdout) as Results).verdict, 'unknown');
    assert.deepEqual(await labelled(await connectDocker(), `${Label.run}=${r.results.cluster.id}`), { containers: 0, networks: 0 });
  });
});

describe('a node container killed mid-run', () => {
  it('the CLI exits within seconds of its last line (no client left reconnecting to the dead node)', async () => {
    const { spawn } = await import('node:child_process');
    const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-dead-node-')));
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'faultline.js'), 'run', '--system', 'etcd', '--workload', 'register', '--time-limit', '12', '--seed', '4', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastOutput = Date.now();
    let stderr = '';
    let killed: Promise<unknown> | undefined;
    const docker = await connectDocker();
    const onData = (chunk: Buffer): void => {
      lastOutput = Date.now();
      stderr += chunk.toString();
      const cluster = /cluster ([0-9a-f]{8}) healthy/.exec(stderr)?.[1];
      if (cluster !== undefined && killed === undefined) {
        killed = new Promise((resolve) => setTimeout(resolve, 4_000)).then(async () => {
          const [n2] = await docker.listContainers({ filters: { label: [`${Label.run}=${cluster}`, `${Label.node}=n2`] } });
          if (n2 !== undefined) await docker.getContainer(n2.Id).kill();
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await killed;
    const lingered = Date.now() - lastOutput;
    assert.ok([0, 1, 2].includes(code ?? -1), `exit ${code}: ${stderr.slice(-1500)}`);
    assert.ok(lingered < 5_000, `the process lingered ${lingered} ms after its last line`);
    const cluster = /cluster ([0-9a-f]{8}) healthy/.exec(stderr)?.[1];
    assert.deepEqual(await labelled(docker, `${Label.run}=${cluster}`), { containers: 0, networks: 0 });
  });
});
