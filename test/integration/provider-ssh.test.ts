import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { loadHostsFile } from '../../src/cluster/ssh/hosts-file.js';
import { SshProvider } from '../../src/cluster/ssh/ssh-provider.js';
import type { HistoryEvent } from '../../src/history/event.js';
import { pairHistory } from '../../src/history/operation.js';
import { readHistoryJsonl } from '../../src/store/index.js';
import { builtinSystem } from '../../src/systems/index.js';
import { cliPath } from './cluster-helpers.js';
import { startCli } from './cli-process.js';
import { type SshHosts, ensureHostImage, startSshHosts } from './ssh-hosts.js';

/**
 * The SSH provider against three containers running sshd — a real SSH path, with a key made
 * for this test; the first host is reached as root, the others as a user with sudo. etcd is
 * linearizable under partitions and kills, so `valid` is the one verdict asserted.
 */
describe('faultline run --provider ssh', () => {
  let docker: Docker;
  let hosts: SshHosts | undefined;
  let store: string;

  before(async () => {
    docker = await connectDocker();
    hosts = await startSshHosts(docker, await ensureHostImage(docker, 'etcd'), 3);
    store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-ssh-run-')));
  });

  after(async () => {
    await hosts?.remove();
    await rm(store, { recursive: true, force: true });
  });

  const cli = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    promisify(execFile)(process.execPath, [cliPath, ...args], { timeout: 120_000 }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );

  it('a malformed hosts file: exit 3, one line naming the file and line', async () => {
    const bad = join(hosts!.dir, 'bad.yaml');
    await writeFile(bad, '- name: n1\n  address: 10.0.0.1\n  user: root\n  key: id_ed25519\n  colour: blue\n');
    const r = await cli(['run', '--provider', 'ssh', '--hosts', bad, '--system', 'etcd', '--workload', 'register']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /bad\.yaml:5: \[0\]\.colour: unknown field/);
  });

  it('a host key other than the fingerprint given is refused; the right one is accepted', async () => {
    const h = hosts!.hosts[0]!;
    const printed = await h.node.exec(['ssh-keygen', '-lf', '/etc/ssh/ssh_host_ed25519_key.pub']);
    const right = printed.stdout.split(' ')[1] ?? '';
    assert.match(right, /^SHA256:/);
    const withPrint = async (print: string): Promise<SshProvider> => {
      const file = join(hosts!.dir, 'one-host.yaml');
      await writeFile(file, `- name: n1\n  address: ${h.address}\n  user: root\n  key: id_ed25519\n  fingerprint: ${print}\n`);
      return new SshProvider(await loadHostsFile(file));
    };
    const wrong = await withPrint(`SHA256:${'A'.repeat(43)}`);
    await assert.rejects(wrong.refuseFault('clock'), /n1: host key SHA256:\S+ is not the fingerprint the hosts file gives/);
    wrong.close();
    const good = await withPrint(right);
    assert.match((await good.refuseFault('clock')) ?? '', /share/);
    good.close();
  });

  it('installs missing packages with apt, without starting their services; present ones are left alone', async () => {
    // The hosts are etcd nodes: Redis is not there. Debian's redis-server starts a server on install unless told not to.
    const provider = new SshProvider(await loadHostsFile(hosts!.hostsFile));
    const lines: string[] = [];
    try {
      await provider.prepare({ name: 'redis', ...builtinSystem('redis').install }, (l) => lines.push(l));
      assert.deepEqual(lines.sort(), ['n1', 'n2', 'n3'].map((n) => `${n}: installed: redis-server redis-tools redis-sentinel`));
      for (const h of hosts!.hosts) {
        const r = await h.node.exec(['sh', '-c', "dpkg-query -W -f='${Status}' redis-server; echo; pgrep -c redis-server; ls /usr/sbin/policy-rc.d 2>&1"]);
        assert.match(r.stdout, /^install ok installed\n0\n.*No such file/, `${h.name}: ${r.stdout}`);
      }
      lines.length = 0;
      await provider.prepare({ name: 'redis', ...builtinSystem('redis').install }, (l) => lines.push(l));
      assert.deepEqual(lines.sort(), ["n1: redis's packages are present", "n2: redis's packages are present", "n3: redis's packages are present"]);
    } finally {
      provider.close();
    }
  });

  it('clock faults are refused: the hosts share this machine\'s kernel', async () => {
    const provider = new SshProvider(await loadHostsFile(hosts!.hostsFile));
    try {
      assert.equal(await provider.refuseFault('partition'), undefined);
      assert.equal(await provider.refuseFault('kill'), undefined);
      assert.match((await provider.refuseFault('clock')) ?? '', /^clock faults on SSH hosts need hosts with kernels of their own: n1, n2, n3 share the kernel of the machine running faultline .*setting their clock would set this machine's$/);
      assert.match((await provider.refuseFault('clock', { clockScope: 'host' })) ?? '', /share the kernel/);
      // The database's own clock (libfaketime / the vDSO helper) does not care whose kernel it is.
      assert.equal(await provider.refuseFault('clock', { clockScope: 'process' }), undefined);
    } finally {
      provider.close();
    }
    // Through the CLI (host clocks are the SSH default), before anything starts: no lock, no reset, no clock touched.
    const before = await Promise.all(hosts!.hosts.map((h) => h.node.exec(['sh', '-c', 'echo $(date +%s); ls /var/lib/faultline.lock /run/faultline/host-clock 2>&1 | grep -c "No such"'])));
    const r = await cli(['run', '--provider', 'ssh', '--hosts', hosts!.hostsFile, '--system', 'redis', '--workload', 'register', '--nemesis', 'partition,clock', '--store', store]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /faultline: clock faults on SSH hosts need hosts with kernels of their own: n1, n2, n3 share the kernel/);
    assert.match(r.stderr, /hint: use --clock-scope process/);
    for (const [i, h] of hosts!.hosts.entries()) {
      const [secs, missing] = (await h.node.exec(['sh', '-c', 'echo $(date +%s); ls /var/lib/faultline.lock /run/faultline/host-clock 2>&1 | grep -c "No such"'])).stdout.trim().split(/\s+/);
      assert.ok(Math.abs(Number(secs) - Number(before[i]!.stdout.trim().split(/\s+/)[0])) < 60, `${h.name}: its clock moved`);
      assert.equal(missing, '2', `${h.name}: a lock or a clock marker was left`);
    }
    await assertHostsClean();
  });

  it('an SSH config as the hosts file: cluster up / ls / down, and a run on busy hosts is refused without touching them', async () => {
    // The same hosts, written as an OpenSSH client config: a `Host *` block gives the key, n1 overrides the user.
    const config = join(hosts!.dir, 'ssh_config');
    await writeFile(
      config,
      [
        '# faultline test hosts',
        ...hosts!.hosts.flatMap((h) => [`Host ${h.name}`, `  HostName ${h.address}`, ...(h.user === 'root' ? ['  User root'] : [])]),
        'Host *',
        '  User tester',
        '  IdentityFile id_ed25519',
        '  StrictHostKeyChecking no',
        '',
      ].join('\n'),
    );
    const t0 = Date.now();
    const up = await cli(['cluster', 'up', '--provider', 'ssh', '--hosts', config, '--system', 'etcd', '--nodes', '3']);
    assert.equal(up.code, 0, up.stderr);
    const id = /^cluster ([0-9a-f]{8}) /m.exec(up.stdout)?.[1];
    assert.ok(id !== undefined, up.stdout);
    assert.match(up.stdout, new RegExp(`remove:  faultline cluster down ${id} --provider ssh --hosts ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    try {
      const ls = await cli(['cluster', 'ls', '--provider', 'ssh', '--hosts', config, '--json']);
      assert.equal(ls.code, 0, ls.stderr);
      const listed = JSON.parse(ls.stdout) as { id: string; system: string; nodes: { name: string; state: string }[] }[];
      assert.deepEqual(listed.map((c) => [c.id, c.system, c.nodes.map((n) => `${n.name}:${n.state}`).join(' ')]), [[id, 'etcd', 'n1:running n2:running n3:running']]);
      const etcdPids = async (): Promise<string[]> => Promise.all(hosts!.hosts.map(async (h) => (await h.node.exec(['sh', '-c', 'cat /run/faultline/etcd.pid'])).stdout.trim()));
      const pids = await etcdPids();
      assert.ok(pids.every((p) => /^\d+$/.test(p)), pids.join(','));
      // Another run on the same hosts (through the YAML file): refused before it resets anything.
      const busy = await cli(['run', '--provider', 'ssh', '--hosts', hosts!.hostsFile, '--system', 'etcd', '--workload', 'register', '--time-limit', '5', '--store', store]);
      assert.equal(busy.code, 3, busy.stderr);
      assert.match(busy.stderr, new RegExp(`faultline: the SSH hosts are busy: n1 is in use by the \`cluster up\` cluster ${id} \\(etcd-${id}\\), etcd, from \\S+ pid \\d+`));
      assert.deepEqual(await etcdPids(), pids, 'the cluster was left running as it was');
      for (const h of hosts!.hosts) assert.equal((await h.node.exec(['sh', '-c', `kill -0 $(cat /run/faultline/etcd.pid) && echo alive`])).stdout.trim(), 'alive');
    } finally {
      const down = await cli(['cluster', 'down', id, '--provider', 'ssh', '--hosts', config]);
      assert.equal(down.code, 0, down.stderr);
      assert.match(down.stdout, new RegExp(`^removed etcd cluster ${id} \\(etcd-${id}\\): n1, n2, n3 reset and freed`));
    }
    process.stderr.write(`ssh cluster up/ls/busy/down: ${Date.now() - t0} ms\n`);
    await assertHostsClean();
  });

  it('register under partition and kill: valid, faults applied, hosts left clean', async () => {
    // Watched from outside SSH while the run goes: the partition must show up as DROP rules.
    let dropsSeen = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const h of hosts!.hosts) {
          const rules = await h.node.exec(['sh', '-c', 'iptables -w -S | grep FAULTLINE | grep -c DROP']).catch(() => undefined);
          if (Number(rules?.stdout.trim() ?? 0) > 0) dropsSeen++;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const t0 = Date.now();
    const r = await cli([
      'run', '--provider', 'ssh', '--hosts', hosts!.hostsFile, '--system', 'etcd', '--workload', 'register',
      '--nemesis', 'partition,kill', '--nemesis-interval', '3', '--time-limit', '20', '--op-timeout', '1', '--settle', '2',
      '--concurrency', '8', '--seed', '7', '--store', store, '--json',
    ]).finally(() => {
      watching = false;
    });
    await watcher;
    const results = JSON.parse(r.stdout) as { verdict: string; errors: string[]; nodeLogs: { copied: string[]; missing: unknown[] } };
    assert.equal(results.verdict, 'valid', r.stderr.slice(-2000));
    assert.equal(r.code, 0);
    assert.deepEqual(results.errors, []);
    process.stderr.write(`ssh run: ${Date.now() - t0} ms\n`);

    const runDir = await latestRun(store);
    const { events } = await readHistoryJsonl(join(runDir, 'history.jsonl'));
    pairHistory(events);
    const applied = (f: string): HistoryEvent[] =>
      events.filter((e) => e.process === 'nemesis' && e.type === 'info' && e.f === f && e.error === undefined && typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value) && e.value['active'] === true);
    assert.ok(applied('start-partition').length >= 1, 'a partition was applied');
    assert.ok(applied('start-kill').length >= 1, 'a node was killed');
    assert.ok(dropsSeen > 0, 'FAULTLINE DROP rules were seen on the hosts during the run');
    assert.ok(events.some((e) => e.type === 'ok' && e.f === 'read'));

    // Every node's log came back over SSH.
    assert.deepEqual(results.nodeLogs.missing, []);
    assert.equal(results.nodeLogs.copied.length, 3);
    for (const f of results.nodeLogs.copied) assert.ok((await stat(join(runDir, f))).size > 0, `${f} is empty`);
    await assertHostsClean();
  });

  /** A run under partitions, stopped with `signal` once a partition is in place on the hosts; resolves with its exit. */
  async function stopDuringPartition(signal: NodeJS.Signals): Promise<{ code: number | null; lines: string[] }> {
    const cli = startCli(['run', '--provider', 'ssh', '--hosts', hosts!.hostsFile, '--system', 'etcd', '--workload', 'register', '--nemesis', 'partition', '--nemesis-interval', '1', '--time-limit', '60', '--op-timeout', '1', '--store', store]);
    try {
      await cli.waitForLine(/running register/, 60_000);
      const until = Date.now() + 20_000;
      let partitioned = false;
      while (!partitioned && Date.now() < until) {
        partitioned = (await dropRules()).some((n) => n > 0);
        if (!partitioned) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(partitioned, 'a partition was in place when stopped');
      cli.child.kill(signal);
      return { code: (await cli.exited).code, lines: cli.lines };
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }

  const dropRules = async (): Promise<number[]> =>
    Promise.all(hosts!.hosts.map(async (h) => Number((await h.node.exec(['sh', '-c', 'iptables -w -S | grep FAULTLINE | grep -c DROP || true'])).stdout.trim())));

  it('Ctrl-C during a partition: exit 130, and the hosts are healed and clean', async () => {
    const exit = await stopDuringPartition('SIGINT');
    assert.equal(exit.code, 130, exit.lines.slice(-10).join('\n'));
    await assertHostsClean();
  });

  it('SIGKILL during a partition leaves the hosts as they were; `clean --hosts` resets them', async () => {
    await stopDuringPartition('SIGKILL');
    assert.ok((await dropRules()).some((n) => n > 0), 'the killed run could not heal');
    const r = await cli(['clean', '--hosts', hosts!.hostsFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^reset n1, n2, n3: /);
    await assertHostsClean();
  });

  /** No FAULTLINE chain, no etcd process, no pid file or data left on any host. */
  async function assertHostsClean(): Promise<void> {
    for (const h of hosts!.hosts) {
      const chains = await h.node.exec(['sh', '-c', 'iptables -w -S | grep FAULTLINE || true']);
      assert.equal(chains.stdout.trim(), '', `${h.name} still has FAULTLINE iptables rules`);
      const procs = await h.node.exec(['sh', '-c', "ps -eo pid=,stat=,comm= | grep -w etcd || true"]);
      assert.equal(procs.stdout.trim(), '', `${h.name} still runs etcd`);
      const files = await h.node.exec(['sh', '-c', 'ls -A /run/faultline /var/lib/faultline']);
      assert.equal(files.stdout.replace(/^\/\S+:$/gm, '').trim(), '', `${h.name} keeps faultline files`);
      const lock = await h.node.exec(['sh', '-c', 'cat /var/lib/faultline.lock 2>/dev/null || true']);
      assert.equal(lock.stdout.trim(), '', `${h.name} is still locked`);
    }
  }
});

async function latestRun(store: string): Promise<string> {
  const [test] = await readdir(store);
  assert.ok(test !== undefined, 'no test directory in the store');
  return join(store, test, await readlink(join(store, test, 'latest')));
}
