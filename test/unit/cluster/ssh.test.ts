import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../src/errors.js';
import { inputProblem } from './input-problem.js';
import { COMMON_PACKAGES } from '../../../src/cluster/common-packages.js';
import { loadHostsFile, parseHosts } from '../../../src/cluster/ssh/hosts-file.js';
import { installScript, parseProbe, resetScript } from '../../../src/cluster/ssh/host-scripts.js';
import { fingerprint, shellQuote } from '../../../src/cluster/ssh/ssh-connection.js';
import { commandLine } from '../../../src/cluster/ssh/ssh-node.js';
import { chosenProvider, openProvider } from '../../../src/cluster/providers.js';
import { packageRoot } from '../../../src/version.js';

const GOOD = '- name: n1\n  address: 10.0.0.1\n  user: root\n  key: id\n- name: n2\n  address: 10.0.0.2\n  port: 2222\n  user: admin\n  key: /keys/id\n';

/** The InputError `parseHosts` throws for `text`, as its message. */
function problem(text: string): string {
  return inputProblem((t: string) => parseHosts(t, 'h.yaml'), text);
}

describe('hosts file', () => {
  it('reads a list of hosts, port 22 unless given', () => {
    const hosts = parseHosts(GOOD, 'h.yaml');
    assert.deepEqual(
      hosts.map((h) => [h.name, h.address, h.port, h.user, h.key, h.line]),
      [['n1', '10.0.0.1', 22, 'root', 'id', 1], ['n2', '10.0.0.2', 2222, 'admin', '/keys/id', 5]],
    );
  });

  it('names the file and the line of each kind of mistake', () => {
    assert.match(problem('- name: n1\n  address: [\n'), /^h\.yaml:\d+: not valid YAML/);
    assert.match(problem(''), /^h\.yaml: hosts: the list of hosts is empty/);
    assert.match(problem('name: n1\n'), /^h\.yaml:1: hosts: /);
    assert.match(problem(`${GOOD}- name: n3\n  address: 10.0.0.3\n  user: root\n`), /^h\.yaml:10: \[2\]\.key: /);
    assert.match(problem(`${GOOD}- name: N_3\n  address: 10.0.0.3\n  user: root\n  key: k\n`), /^h\.yaml:10: \[2\]\.name: a node name is/);
    assert.match(problem(`${GOOD}- name: n3\n  address: 10.0.0.3\n  port: 70000\n  user: root\n  key: k\n`), /^h\.yaml:12: \[2\]\.port: /);
    assert.match(problem(`${GOOD}- name: n3\n  address: 10.0.0.3\n  user: root\n  key: k\n  pasword: x\n`), /^h\.yaml:14: \[2\]\.pasword: unknown field/);
    assert.match(problem(`${GOOD}- name: n1\n  address: 10.0.0.3\n  user: root\n  key: k\n`), /^h\.yaml:10: \[2\]\.name: n1 is already host \[0\]/);
    assert.match(problem(`${GOOD}- name: n3\n  address: 10.0.0.1\n  user: root\n  key: k\n`), /^h\.yaml:10: \[2\]\.address: 10\.0\.0\.1:22 is already host \[0\]/);
    assert.match(problem('- name: n1\n  address: a\n  user: root\n  key: k\n  fingerprint: MD5:aa\n'), /^h\.yaml:5: \[0\]\.fingerprint: /);
  });

  describe('loading (keys read relative to the file, addresses resolved)', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faultline-hosts-'));
      await writeFile(join(dir, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n');
      await writeFile(join(dir, 'id.pub'), 'ssh-ed25519 AAAA x\n');
    });
    after(() => rm(dir, { recursive: true, force: true }));

    const load = async (text: string): Promise<Awaited<ReturnType<typeof loadHostsFile>>> => {
      const file = join(dir, 'hosts.yaml');
      await writeFile(file, text);
      return loadHostsFile(file);
    };

    it('reads the key beside the file and resolves a name to IPv4', async () => {
      const [h] = await load('- name: n1\n  address: localhost\n  user: root\n  key: id\n');
      assert.equal(h?.address, '127.0.0.1');
      assert.equal(h?.keyPath, join(dir, 'id'));
      assert.match(h?.privateKey.toString() ?? '', /PRIVATE KEY/);
    });

    it('a missing key, a public key or an unresolvable name: InputError at the host\'s line', async () => {
      await assert.rejects(load('- name: n1\n  address: 10.0.0.1\n  user: root\n  key: nope\n'), (e: Error) => e instanceof InputError && /hosts\.yaml:1: n1: cannot read key .*nope: ENOENT/.test(e.message));
      await assert.rejects(load('- name: n1\n  address: 10.0.0.1\n  user: root\n  key: id.pub\n'), (e: Error) => e instanceof InputError && /hosts\.yaml:1: n1: .*id\.pub is not a private key/.test(e.message));
      await assert.rejects(load('- name: n1\n  address: 127.0.0.1\n  user: root\n  key: id\n- name: n2\n  address: localhost\n  port: 2222\n  user: root\n  key: id\n'), (e: Error) => e instanceof InputError && /hosts\.yaml:5: n2: address 127\.0\.0\.1 is also n1's/.test(e.message));
      await assert.rejects(load('- name: n1\n  address: no-such-host.invalid\n  user: root\n  key: id\n'), (e: Error) => e instanceof InputError && /hosts\.yaml:1: n1: address no-such-host\.invalid does not resolve/.test(e.message));
    });

    it('--provider ssh without --hosts, and --hosts without ssh: usage errors', async () => {
      await assert.rejects(openProvider({ name: 'ssh' }), /--provider ssh needs --hosts FILE/);
      await assert.rejects(openProvider({ name: 'docker', hosts: 'x' }), /--hosts is for --provider ssh/);
      await assert.rejects(chosenProvider({ provider: 'vagrant' }), /unknown provider "vagrant"/);
      assert.equal(await chosenProvider({ provider: 'docker' }), undefined, 'Docker is opened by each test, not up front');
      await writeFile(join(dir, 'hosts.yaml'), '- name: n1\n  address: 127.0.0.1\n  user: root\n  key: id\n');
      const ssh = await chosenProvider({ provider: 'ssh', hosts: join(dir, 'hosts.yaml') });
      assert.equal(ssh?.name, 'ssh');
    });
  });
});

/** What a POSIX shell makes of a command line: its words, NUL-separated. */
function wordsOf(line: string): string[] {
  const r = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

describe('remote command lines', () => {
  it('a quoted word reaches the remote shell unchanged, whatever it holds (and unquoted ones do not)', () => {
    // Both directions: quoting preserves every word; without it, some words are mangled (so the check can fail).
    const word = fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '$', '\\', '`', '*', '\n', ';', '|', '&', '(', '-', '='), minLength: 0, maxLength: 12 });
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
      assert.deepEqual(wordsOf(words.map(shellQuote).join(' ')), words);
    }), { numRuns: 150 });
    assert.notDeepEqual(wordsOf(["a b", "$HOME"].join(' ')), ['a b', '$HOME']);
  });

  it('root runs argv as is; another user through sudo -n; env through env; detached in its own session', () => {
    assert.equal(commandLine(['cat', '/x y'], {}, 'root'), "cat '/x y'");
    assert.equal(commandLine(['cat', '/x'], {}, 'admin'), 'sudo -n -- cat /x');
    assert.deepEqual(wordsOf(commandLine(['sh', '-c', 'echo "$A"'], { env: { A: "it's" } }, 'admin')), ['sudo', '-n', '--', 'env', "A=it's", 'sh', '-c', 'echo "$A"']);
    assert.equal(commandLine(['redis-server'], { detach: true }, 'root'), 'setsid -f redis-server </dev/null >/dev/null 2>&1');
    assert.throws(() => commandLine(['x'], { env: { 'A B': '1' } }, 'root'), /not an environment variable name/);
  });

  it('fingerprints as ssh-keygen prints them', () => {
    // `ssh-keygen -lf` of this public key printed SHA256:qc51…: the SHA-256 of the key blob, unpadded base64.
    const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dh2l9GKJl', 'base64');
    assert.equal(fingerprint(blob), 'SHA256:qc51GW9glA8PUQnGMcRszVRdaH9LsppIRZXrc9eCiZw');
    assert.notEqual(fingerprint(Buffer.concat([blob, Buffer.from([0])])), fingerprint(blob));
  });
});

describe('host scripts', () => {
  it('installs the same common packages as the Docker images', async () => {
    const dockerfile = await readFile(join(packageRoot, 'docker', 'common.Dockerfile'), 'utf8');
    // The node stage's list (the last install; an earlier stage builds faultline-fs). libfuse3-3
    // serves faultline-fs, which only the Docker images carry: disk faults are Docker-only.
    const installs = [...dockerfile.matchAll(/apt-get install -y ([^\\\n]+)/g)];
    const listed = installs.at(-1)?.[1]?.trim().split(/\s+/).filter((p) => p !== 'libfuse3-3');
    assert.deepEqual(listed, [...COMMON_PACKAGES]);
  });

  it('the install script is valid sh, runs prepare only when installing, and refuses odd package names', () => {
    const script = installScript({ name: 'zookeeper', packages: ['zookeeper'], prepare: 'mkdir -p /usr/share/man/man1' }, ['procps', 'zookeeper']);
    assert.equal(spawnSync('sh', ['-n', '-c', script]).status, 0);
    assert.ok(script.indexOf('mkdir -p /usr/share/man/man1') > script.indexOf('if [ -n "$missing" ]'));
    assert.throws(() => installScript({ name: 'x', packages: [] }, ['a;rm -rf /']), /not a Debian package name/);
  });

  it('the reset script is valid sh', () => {
    assert.equal(spawnSync('sh', ['-n', '-c', resetScript()]).status, 0);
  });

  it('reads the probe: uid, boot id, sudo', () => {
    assert.deepEqual(parseProbe('1000\nabc-def\nsudo\n'), { uid: 1000, bootId: 'abc-def', sudo: true });
    assert.deepEqual(parseProbe('0\nabc\nno-sudo\n'), { uid: 0, bootId: 'abc', sudo: false });
    assert.equal(parseProbe('sh: id: not found\n'), undefined);
  });
});
