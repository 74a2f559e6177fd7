import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { DockerNode } from '../../src/cluster/docker/docker-node.js';
import { ensureImages, ensureLayer } from '../../src/cluster/docker/image-build.js';
import { run } from '../../src/cluster/node.js';
import { builtinSystem } from '../../src/systems/index.js';

/** Marks the host containers, so a later run removes what a killed one left. */
export const HOST_LABEL = 'faultline.test-hosts';

/**
 * The SSH hosts' image: the system's node image (the same Debian base and packages the
 * Docker provider uses, so the provider finds them present) plus openssh-server and sudo,
 * and a user `tester` with passwordless sudo. Tagged by content: built once, then reused.
 */
const HOST_LAYER = [
  '# SSH hosts for test/integration/provider-ssh.test.ts: a node image with sshd and sudo.',
  'ARG COMMON',
  'FROM ${COMMON}',
  "RUN apt-get update \\\n && apt-get install -y --no-install-recommends openssh-server sudo \\\n && rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_* \\\n && mkdir -p /run/sshd \\\n && useradd -m -s /bin/sh tester \\\n && echo 'tester ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/tester && chmod 440 /etc/sudoers.d/tester",
  '',
].join('\n');

export async function ensureHostImage(docker: Docker, systemName: string): Promise<string> {
  const system = builtinSystem(systemName);
  const built = (await ensureImages(docker, [{ name: system.name, ...system.install }], () => undefined)).get(system.name);
  if (built === undefined) throw new Error(`no image for ${system.name}`);
  return (await ensureLayer(docker, 'ssh-host', { argName: 'COMMON', ref: built.ref, id: built.id }, () => undefined, HOST_LAYER)).ref;
}

export interface SshHost {
  readonly name: string;
  readonly address: string;
  /** The container as a node (docker exec), to look at the host from outside SSH. */
  readonly node: DockerNode;
  readonly user: string;
}

export interface SshHosts {
  readonly dir: string;
  readonly hostsFile: string;
  readonly hosts: readonly SshHost[];
  remove(): Promise<void>;
}

/**
 * `count` containers running sshd (tini as PID 1 reaps the daemons faultline kills), with
 * NET_ADMIN for iptables; a fresh ed25519 key authorised for root and `tester`. The first
 * host is reached as root, the others as `tester` through sudo. `remove` takes them all away.
 */
export async function startSshHosts(docker: Docker, image: string, count: number): Promise<SshHosts> {
  await removeLeftovers(docker);
  const dir = await mkdtemp(join(tmpdir(), 'faultline-ssh-'));
  const key = join(dir, 'id_ed25519');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'faultline-test', '-f', key]);
  const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
  const tag = randomBytes(3).toString('hex');
  const containers: Docker.Container[] = [];
  const remove = async (): Promise<void> => {
    await Promise.all(containers.map((c) => c.remove({ force: true, v: true }).catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const hosts = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const name = `n${i + 1}`;
        const container = await docker.createContainer({
          name: `faultline-sshtest-${tag}-${name}`,
          Hostname: name,
          Image: image,
          Cmd: ['sh', '-c', 'ssh-keygen -A >/dev/null && exec /usr/sbin/sshd -D -e'],
          Labels: { [HOST_LABEL]: tag },
          HostConfig: { Init: true, CapAdd: ['NET_ADMIN'] },
        });
        containers.push(container);
        await container.start();
        const address = (await container.inspect()).NetworkSettings.Networks['bridge']?.IPAddress ?? '';
        const node = new DockerNode(docker, container.id, name, address);
        const authorise = (home: string, owner: string): string =>
          `mkdir -p ${home}/.ssh && printf '%s\\n' "$1" > ${home}/.ssh/authorized_keys && chmod 700 ${home}/.ssh && chmod 600 ${home}/.ssh/authorized_keys && chown -R ${owner} ${home}/.ssh`;
        await run(node, ['sh', '-c', `${authorise('/root', 'root')} && ${authorise('/home/tester', 'tester')}`, 'sh', publicKey]);
        await waitForPort(address, 22, 15_000);
        return { name, address, node, user: i === 0 ? 'root' : 'tester' };
      }),
    );
    const hostsFile = join(dir, 'hosts.yaml');
    await writeFile(hostsFile, hosts.map((h) => `- name: ${h.name}\n  address: ${h.address}\n  user: ${h.user}\n  key: id_ed25519\n`).join(''));
    return { dir, hostsFile, hosts, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

async function removeLeftovers(docker: Docker): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [HOST_LABEL] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

async function waitForPort(host: string, port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`${host}:${port} did not open within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
