import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../errors.js';
import type { ExecOptions, ExecResult, Node } from '../node.js';
import { SingleFileFromTar } from './tar-file.js';

/** A log copy taking longer than this is given up (the engine or the disk is stuck). */
const COPY_TIMEOUT_MS = 120_000;

interface RawResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exitCode: number;
}

/** A node backed by one container whose PID 1 is an init that reaps; work runs via `docker exec`. */
export class DockerNode implements Node {
  constructor(
    private readonly docker: Docker,
    readonly containerId: string,
    readonly name: string,
    readonly address: string,
  ) {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const raw = await this.execRaw(argv, options);
    return { stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8'), exitCode: raw.exitCode };
  }

  /**
   * Through the engine's archive endpoint (`docker cp`), not `docker exec cat`: it also reads a
   * container that is no longer running, and a node killed from outside is exactly the one
   * whose log is wanted. Streamed; a copy that fails leaves no partial file behind.
   */
  async copyOut(path: string, dest: string): Promise<void> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.docker.getContainer(this.containerId).getArchive({ path });
    } catch (err) {
      throw new InfrastructureError(`${this.name}: cannot read ${path}: ${engineMessage(err)}`);
    }
    await mkdir(dirname(dest), { recursive: true });
    try {
      await pipeline(archive, new SingleFileFromTar(`${this.name}:${path}`), createWriteStream(dest), { signal: AbortSignal.timeout(COPY_TIMEOUT_MS) });
    } catch (err) {
      await rm(dest, { force: true });
      throw new InfrastructureError(`${this.name}: copying ${path} failed: ${engineMessage(err)}`);
    }
  }

  async writeFile(path: string, content: string): Promise<void> {
    // Through the environment rather than stdin: a hijacked stdin's end-of-file is not
    // reliably delivered by every engine version, and config files are small.
    const script = 'mkdir -p "$(dirname "$1")" && printf %s "$FAULTLINE_CONTENT" | base64 -d > "$1"';
    const raw = await this.execRaw(['sh', '-c', script, 'sh', path], {
      env: { FAULTLINE_CONTENT: Buffer.from(content, 'utf8').toString('base64') },
      timeoutMs: 30_000,
    });
    if (raw.exitCode !== 0) {
      throw new InfrastructureError(`${this.name}: cannot write ${path}: ${raw.stderr.toString('utf8').trim()}`);
    }
  }

  private async execRaw(argv: readonly string[], options: ExecOptions): Promise<RawResult> {
    const container = this.docker.getContainer(this.containerId);
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const exec = await container.exec({
      Cmd: [...argv],
      Env: env,
      AttachStdout: options.detach !== true,
      AttachStderr: options.detach !== true,
    });
    if (options.detach === true) {
      const started: unknown = await exec.start({ Detach: true });
      // The engine may answer on a still-open connection: close it, or it keeps the process alive.
      if (started instanceof Readable) started.destroy();
      return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: -1 };
    }
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = collect();
    const stderr = collect();
    this.docker.modem.demuxStream(stream, stdout.sink, stderr.sink);
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const timeoutMs = options.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      if ((await Promise.race([ended, timedOut])) === 'timeout') {
        stream.destroy();
        throw new InfrastructureError(
          `${this.name}: \`${argv.join(' ')}\` did not finish within ${timeoutMs / 1000} s`,
          'the node may be overloaded or the command hung; it may still be running there',
        );
      }
    } finally {
      clearTimeout(timer);
      stream.destroy();
    }
    return { stdout: stdout.buffer(), stderr: stderr.buffer(), exitCode: await exitCodeOf(exec) };
  }
}

/** The engine's reason, without the HTTP wrapping ("(HTTP code 404) no such container - …"). */
function engineMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
}

/** The stream can end a moment before the engine records the exit code: ask a few times. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return -1;
}

function collect(): { sink: PassThrough; buffer: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { sink, buffer: () => Buffer.concat(chunks) };
}
