import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../errors.js';
import type { NodeSoftware } from '../node.js';
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

/** What a layer's Dockerfile copies from docker/ besides itself (the common layer compiles faultline-fs and faultline-vdso-clock). */
const LAYER_SOURCES: Readonly<Record<string, readonly string[]>> = { common: ['faultline-fs.c', 'faultline-vdso-clock.c'] };

export interface BuiltImage {
  readonly ref: string;
  readonly id: string;
  readonly reused: boolean;
}

/** A system's image layer: its packages on top of the common layer (the Dockerfile is made from its install spec). */
export function systemDockerfile(software: NodeSoftware): string {
  const steps = [...(software.prepare === undefined ? [] : [software.prepare]), 'apt-get update', `apt-get install -y ${software.packages.join(' ')}`, 'rm -rf /var/lib/apt/lists/*'];
  return [`# ${software.name}: generated from its descriptor's install spec.`, 'ARG COMMON', 'FROM ${COMMON}', `RUN ${steps.join(' \\\n && ')}`, ''].join('\n');
}

/**
 * Builds a Dockerfile (from `docker/<name>.Dockerfile`, or the text given) on top of a
 * parent image, tagged by content hash: returns at once when that tag exists. The parent is
 * passed as build argument `argName`.
 */
export async function ensureLayer(
  docker: Docker,
  name: string,
  parent: { readonly argName: string; readonly ref: string; readonly id: string },
  log: BuildLog,
  text?: string,
): Promise<BuiltImage> {
  const file = `${name}.Dockerfile`;
  const dockerfile = text ?? (await readFile(join(dockerDir, file), 'utf8'));
  // Files the Dockerfile COPYs from docker/ are part of what the image is made from: hashed with it.
  const extra = text === undefined ? (LAYER_SOURCES[name] ?? []) : [];
  const sources = await Promise.all(extra.map((f) => readFile(join(dockerDir, f), 'utf8')));
  const ref = `faultline/${name}:${contentTag([dockerfile, ...sources].join('\0'), parent.id)}`;
  const existing = await imageId(docker, ref);
  if (existing !== undefined) {
    log(`${name}: ${ref} is up to date`);
    return { ref, id: existing, reused: true };
  }
  log(`${name}: building ${ref}`);
  const tail: string[] = [];
  try {
    const stream = await docker.buildImage(
      text === undefined ? { context: dockerDir, src: [file, ...extra] } : await tarOf(file, text),
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
export async function ensureImages(docker: Docker, systems: readonly NodeSoftware[], log: BuildLog): Promise<Map<string, BuiltImage>> {
  const baseId = await ensureBaseImage(docker, log);
  const common = await ensureLayer(docker, 'common', { argName: 'BASE', ref: baseId, id: baseId }, log);
  const built = new Map<string, BuiltImage>();
  for (const system of systems) {
    built.set(system.name, await ensureLayer(docker, system.name, { argName: 'COMMON', ref: common.ref, id: common.id }, log, systemDockerfile(system)));
  }
  return built;
}

/** A build context holding one Dockerfile (a tar stream, as the engine wants it). */
async function tarOf(file: string, text: string): Promise<NodeJS.ReadableStream> {
  const { Readable } = await import('node:stream');
  const body = Buffer.from(text);
  const header = Buffer.alloc(512);
  header.write(file, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Readable.from([Buffer.concat([header, body, padding, Buffer.alloc(1024)])]);
}
