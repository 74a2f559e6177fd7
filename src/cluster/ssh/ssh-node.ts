import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { InfrastructureError } from '../../errors.js';
import type { ExecOptions, ExecResult, Node } from '../node.js';
import { type SshConnection, shellQuote } from './ssh-connection.js';

const DEFAULT_TIMEOUT_MS = 120_000;
const COPY_TIMEOUT_MS = 120_000;

/**
 * A host reached over SSH. Commands run as root: directly when the hosts file's user is
 * root, else through `sudo -n` (passwordless sudo is required; iptables and signalling the
 * database need root). Detached commands start in a session of their own (`setsid -f`), so
 * they outlive the channel, and the host's init reaps them when they die.
 */
export class SshNode implements Node {
  constructor(
    private readonly connection: SshConnection,
    readonly name: string,
    readonly address: string,
  ) {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.connection.run(commandLine(argv, options, this.connection.host.user), { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    if (options.detach === true) return { stdout: '', stderr: '', exitCode: -1 };
    return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), exitCode: r.exitCode };
  }

  /** `cat` streamed into the file: it also reads a log whose database was killed. A failed copy leaves no partial file. */
  async copyOut(path: string, dest: string): Promise<void> {
    await mkdir(dirname(dest), { recursive: true });
    const file = createWriteStream(dest);
    try {
      const r = await this.connection.run(commandLine(['cat', '--', path], {}, this.connection.host.user), { stdout: file, timeoutMs: COPY_TIMEOUT_MS });
      file.end();
      await finished(file);
      if (r.exitCode !== 0) throw new InfrastructureError(`${this.name}: cannot read ${path}: ${r.stderr.toString('utf8').trim()}`);
    } catch (err) {
      file.destroy();
      await rm(dest, { force: true });
      throw err;
    }
  }

  async writeFile(path: string, content: string): Promise<void> {
    const script = 'mkdir -p "$(dirname "$1")" && cat > "$1"';
    const r = await this.connection.run(commandLine(['sh', '-c', script, 'sh', path], {}, this.connection.host.user), { stdin: content, timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new InfrastructureError(`${this.name}: cannot write ${path}: ${r.stderr.toString('utf8').trim()}`);
  }
}

/**
 * The remote shell's command line for argv: root through sudo when the user is not root,
 * the environment through `env` (sshd accepts only the variables its AcceptEnv names), and a
 * detached command in a new session with its output discarded so the channel can close.
 */
export function commandLine(argv: readonly string[], options: Pick<ExecOptions, 'env' | 'detach'>, user: string): string {
  const env = Object.entries(options.env ?? {});
  for (const [k] of env) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${k}`);
  const words = [
    ...(user === 'root' ? [] : ['sudo', '-n', '--']),
    ...(options.detach === true ? ['setsid', '-f'] : []),
    ...(env.length === 0 ? [] : ['env', ...env.map(([k, v]) => `${k}=${v}`)]),
    ...argv,
  ];
  const line = words.map(shellQuote).join(' ');
  return options.detach === true ? `${line} </dev/null >/dev/null 2>&1` : line;
}
