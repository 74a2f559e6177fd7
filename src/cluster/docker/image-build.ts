import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../errors.js';
import { packageRoot } from '../../version.js';
import { contentTag } from '../image-tag.js';
import { ensureBaseImage } from './base-image.js';

/** Receives one human-readable line per build step (a spinner or plain stderr lines). */
export type BuildLog = (line: string) => void;

export const dockerDir = join(packageRoot, 'docker');

/** The image id for a reference, or undefined when the engine does not have it. */
export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch {
    return undefined;
  }
}

interface ProgressEvent {
  readonly stream?: string;
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/** Waits for a pull/build/import stream to end; rejects with the engine's error message. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: ProgressEvent[]) => {
        const failed = events.find((e) => e.error !== undefined);
        if (err !== null) reject(err);
        else if (failed !== undefined) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: ProgressEvent) => {
        const line = (event.stream ?? event.status ?? '').trim();
        if (line !== '') onLine(line);
      },
    );
  });
}

export interface BuiltImage {
  readonly ref: string;
  readonly id: string;
  readonly reused: boolean;
}

/**
 * Builds `docker/<name>.Dockerfile` on top of a parent image, tagged by content hash:
 * returns at once when that tag exists. The parent is passed as build argument `argName`.
 */
export async function ensureLayer(
  docker: Docker,
  name: string,
  parent: { readonly argName: string; readonly ref: string; readonly id: string },
  log: BuildLog,
): Promise<BuiltImage> {
  const file = `${name}.Dockerfile`;
  const dockerfile = await readFile(join(dockerDir, file), 'utf8');
  const ref = `faultline/${name}:${contentTag(dockerfile, parent.id)}`;
  const existing = await imageId(docker, ref);
  if (existing !== undefined) {
    log(`${name}: ${ref} is up to date`);
    return { ref, id: existing, reused: true };
  }
  log(`${name}: building ${ref}`);
  const tail: string[] = [];
  try {
    const stream = await docker.buildImage(
      { context: dockerDir, src: [file] },
      { t: ref, dockerfile: file, buildargs: { [parent.argName]: parent.ref }, labels: { 'faultline.image': name }, rm: true, forcerm: true },
    );
    await followProgress(docker, stream, (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      if (/^Step \d+\/\d+/.test(line)) log(`${name}: ${line}`);
    });
  } catch (err) {
    throw new InfrastructureError(
      `building image ${ref} from docker/${file} failed: ${err instanceof Error ? err.message : String(err)}`,
      `last build output:\n    ${tail.slice(-8).join('\n    ')}`,
    );
  }
  const id = await imageId(docker, ref);
  if (id === undefined) throw new InfrastructureError(`the build of ${ref} ended without an image`);
  return { ref, id, reused: false };
}

/** Base → common → the given systems' images; returns each system's image reference. */
export async function ensureImages(
  docker: Docker,
  systems: readonly string[],
  log: BuildLog,
): Promise<Map<string, BuiltImage>> {
  const baseId = await ensureBaseImage(docker, log);
  const common = await ensureLayer(docker, 'common', { argName: 'BASE', ref: baseId, id: baseId }, log);
  const built = new Map<string, BuiltImage>();
  for (const system of systems) {
    built.set(system, await ensureLayer(docker, system, { argName: 'COMMON', ref: common.ref, id: common.id }, log));
  }
  return built;
}
