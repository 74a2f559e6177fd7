import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { InfrastructureError } from '../../errors.js';
import { followProgress, imageId, type BuildLog } from './image-build.js';

export const SLIM_BASE = 'debian:bookworm-slim';
export const MINBASE = 'faultline/debian:bookworm-minbase';
const MIRROR = process.env['FAULTLINE_DEBIAN_MIRROR'] ?? 'http://deb.debian.org/debian';

/**
 * The Debian bookworm image every node image starts from: `debian:bookworm-slim` when it is
 * present or can be pulled; otherwise one built here, once, with debootstrap (which needs
 * only Debian's mirror, not a container registry). Returns the image's id.
 */
export async function ensureBaseImage(docker: Docker, log: BuildLog): Promise<string> {
  for (const ref of [SLIM_BASE, MINBASE]) {
    const id = await imageId(docker, ref);
    if (id !== undefined) {
      log(`base: using ${ref}`);
      return id;
    }
  }
  log(`base: pulling ${SLIM_BASE}`);
  try {
    await followProgress(docker, await docker.pull(SLIM_BASE), () => undefined);
    const id = await imageId(docker, SLIM_BASE);
    if (id !== undefined) return id;
  } catch (err) {
    log(`base: cannot pull ${SLIM_BASE} (${firstLine(err)}); building ${MINBASE} with debootstrap`);
  }
  return buildMinbase(docker, log);
}

async function buildMinbase(docker: Docker, log: BuildLog): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'faultline-rootfs-'));
  try {
    log(`base: debootstrap --variant=minbase bookworm from ${MIRROR}`);
    try {
      await execa('debootstrap', ['--variant=minbase', 'bookworm', root, MIRROR], { stdin: 'ignore' });
    } catch (err) {
      throw debootstrapError(err);
    }
    log(`base: importing the root file system as ${MINBASE}`);
    const tar = execa('tar', ['-C', root, '-c', '.'], { stdin: 'ignore', stdout: 'pipe', buffer: false });
    const [, stream] = await Promise.all([tar, docker.importImage(tar.stdout, { repo: 'faultline/debian', tag: 'bookworm-minbase' })]);
    await followProgress(docker, stream, () => undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const id = await imageId(docker, MINBASE);
  if (id === undefined) throw new InfrastructureError(`docker import did not produce ${MINBASE}`);
  return id;
}

function debootstrapError(err: unknown): InfrastructureError {
  const missing = typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
  if (missing) {
    return new InfrastructureError(
      `cannot get a Debian base image: ${SLIM_BASE} cannot be pulled and debootstrap is not installed`,
      'install it (`sudo apt-get install debootstrap`) or make `docker pull debian:bookworm-slim` work, then retry',
    );
  }
  return new InfrastructureError(
    `debootstrap failed building the base image: ${firstLine(err)}`,
    `debootstrap needs root and Debian's mirror (${MIRROR}, override with FAULTLINE_DEBIAN_MIRROR); or make \`docker pull ${SLIM_BASE}\` work`,
  );
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? text;
}
