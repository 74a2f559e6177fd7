import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../src/errors.js';
import { inputProblem } from './input-problem.js';
import { loadHostsFile } from '../../../src/cluster/ssh/hosts-file.js';
import { looksLikeSshConfig, parseSshConfig, sshPatternMatches } from '../../../src/cluster/ssh/ssh-config.js';

const LOCAL = { user: 'alice', home: '/home/alice' };
const parse = (text: string): ReturnType<typeof parseSshConfig> => parseSshConfig(text, 'cfg', LOCAL);

/** The InputError the config `text` gives, as its one-line message. */
function problem(text: string): string {
  return inputProblem(parse, text);
}

/** Reference glob matcher: a straightforward recursion over the pattern (ssh's match_pattern). */
function globReference(p: string, s: string): boolean {
  if (p === '') return s === '';
  const [c, rest] = [p[0], p.slice(1)];
  if (c === '*') {
    for (let i = 0; i <= s.length; i++) if (globReference(rest, s.slice(i))) return true;
    return false;
  }
  if (s === '') return false;
  return (c === '?' || c?.toLowerCase() === s[0]?.toLowerCase()) && globReference(rest, s.slice(1));
}

describe('SSH config hosts file', () => {
  it('is told from YAML by its first line that says anything', () => {
    assert.equal(looksLikeSshConfig('# hosts\n\nHost n1\n  HostName 10.0.0.1\n'), true);
    assert.equal(looksLikeSshConfig('host=n1\n'), true);
    assert.equal(looksLikeSshConfig('Match host x\n'), true);
    assert.equal(looksLikeSshConfig('- name: n1\n  address: 10.0.0.1\n'), false);
    assert.equal(looksLikeSshConfig('# Host n1\n- name: hostess\n'), false);
    assert.equal(looksLikeSshConfig(''), false);
  });

  it('every alias without a wildcard is a host, in file order, with HostName, User, Port and the first IdentityFile', () => {
    const hosts = parse(
      [
        '# the test cluster',
        'Host n1',
        '  HostName 10.0.0.11',
        '  User root',
        '  IdentityFile ~/.ssh/faultline',
        '  IdentityFile ~/.ssh/other',
        'Host n3',
        '  HostName 10.0.0.13',
        'Host n2 n3',
        '  hostname=10.0.0.12',
        '  PORT = 2222',
        '  IdentityFile "%d/keys/%r at %h"',
        '  ServerAliveInterval 10',
      ].join('\n'),
    );
    assert.deepEqual(hosts, [
      { name: 'n1', address: '10.0.0.11', port: 22, user: 'root', key: '~/.ssh/faultline', line: 2 },
      // n3's own block comes first: its HostName wins over the shared block's (the first value wins, as in ssh).
      { name: 'n3', address: '10.0.0.13', port: 2222, user: 'alice', key: '/home/alice/keys/alice at 10.0.0.13', line: 7 },
      { name: 'n2', address: '10.0.0.12', port: 2222, user: 'alice', key: '/home/alice/keys/alice at 10.0.0.12', line: 9 },
    ]);
  });

  it('patterns apply as in ssh: lines before the first Host and matching Host blocks, negations excluded, first value wins', () => {
    const hosts = parse(
      [
        'Port 2200',
        'Host db-a',
        '  HostName 10.0.0.1',
        '  User root',
        'Host db-b',
        '  HostName 10.0.0.2',
        'Host db-c',
        '  HostName 10.0.0.3',
        'Host db-* !db-c',
        '  User admin',
        '  IdentityFile keys/db',
        'Host *',
        '  User nobody',
        '  IdentityFile keys/default',
        '  Port 22',
      ].join('\n'),
    );
    assert.deepEqual(
      hosts.map((h) => `${h.name} ${h.user}@${h.address}:${h.port} ${h.key ?? '-'}`),
      ['db-a root@10.0.0.1:2200 keys/db', 'db-b admin@10.0.0.2:2200 keys/db', 'db-c nobody@10.0.0.3:2200 keys/default'],
    );
    // Without HostName the alias is the address; without User, the local user (as ssh does).
    assert.deepEqual(parse('Host n1\n'), [{ name: 'n1', address: 'n1', port: 22, user: 'alice', key: undefined, line: 1 }]);
  });

  it('a pattern matches as a glob, case-insensitively: same answers as a reference matcher, both ways', () => {
    const chars = fc.constantFrom('a', 'b', 'A', '-', '1');
    const pattern = fc.array(fc.oneof(chars, fc.constantFrom('*', '?')), { maxLength: 6 }).map((xs) => xs.join(''));
    const name = fc.array(chars, { maxLength: 6 }).map((xs) => xs.join(''));
    fc.assert(fc.property(pattern, name, (p, s) => sshPatternMatches(p, s) === globReference(p, s)), { numRuns: 2000 });
    assert.equal(sshPatternMatches('db.*', 'dbx1'), false, 'a dot is a dot');
    assert.equal(sshPatternMatches('10.0.0.*', '10.0.0.7'), true);
  });

  it('every mistake: exit 3, one line with the file and line', () => {
    assert.match(problem('Host n1\n  HostNmae 10.0.0.1\n'), /^cfg:2: unknown keyword "HostNmae"/);
    assert.match(problem('Host n1\n  HostName 10.0.0.1\nMatch user root\n'), /^cfg:3: Match blocks are not supported/);
    assert.match(problem('Include ~/.ssh/other\nHost n1\n'), /^cfg:1: Include is not supported/);
    assert.match(problem('Host n1\n  Port 99999\n'), /^cfg:2: n1: Port 99999 is not a port number/);
    assert.match(problem('Host n1\n  Port\n'), /^cfg:2: Port: a value is missing/);
    assert.match(problem('Host\n'), /^cfg:1: Host needs at least one name or pattern/);
    assert.match(problem('Host DB_1\n'), /^cfg:1: Host DB_1: a node name is lower-case/);
    assert.match(problem('Host *\n  User root\n'), /^cfg: no host: no Host line names one without a wildcard/);
    assert.match(problem('Host n1\n  User "a b"\n'), /^cfg:2: n1: User "a b" is not a user name/);
    assert.match(problem('Host n1\n  IdentityFile ~/.ssh/%C\n'), /^cfg:2: %C in .*faultline expands only/);
    assert.match(problem('Host n1\n  HostName 10.0.0.1\nHost n2\n  HostName 10.0.0.1\n'), /^cfg:3: n2: 10\.0\.0\.1 port 22 is also n1/);
    assert.match(problem('Host n1\n  HostName 10.0.0.1\n  =x\n'), /^cfg:3: not a `Keyword value` line/);
    // ProxyJump only matters for the hosts it applies to.
    assert.match(problem('Host n1\n  HostName 10.0.0.1\nHost *\n  ProxyJump bastion\n'), /^cfg:4: n1: ProxyJump is not supported/);
    assert.equal(parse('Host n1\n  HostName 10.0.0.1\nHost other-*\n  ProxyJump bastion\n').length, 1);
    assert.equal(parse('Host n1\n  ProxyCommand none\n').length, 1);
  });

  describe('loaded through --hosts', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faultline-sshcfg-'));
      await writeFile(join(dir, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n');
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('resolves addresses and reads keys relative to the file, like the YAML form; a missing key is the host\'s line', async () => {
      const file = join(dir, 'config');
      await writeFile(file, 'Host n1\n  HostName localhost\n  User root\n  IdentityFile id\nHost n2\n  HostName 127.0.0.2\n  IdentityFile id\n  User admin\n');
      const hosts = await loadHostsFile(file);
      assert.deepEqual(hosts.map((h) => [h.name, h.address, h.port, h.user, h.keyPath]), [
        ['n1', '127.0.0.1', 22, 'root', join(dir, 'id')],
        ['n2', '127.0.0.2', 22, 'admin', join(dir, 'id')],
      ]);
      await writeFile(file, 'Host n1\n  HostName 127.0.0.1\n  IdentityFile nope\n');
      await assert.rejects(loadHostsFile(file), (e: Error) => e instanceof InputError && /config:1: n1: cannot read key .*nope: ENOENT/.test(e.message));
    });
  });
});
