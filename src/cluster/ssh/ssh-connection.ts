import { createHash } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import ssh2 from 'ssh2';
import { InfrastructureError } from '../../errors.js';
import type { HostEntry } from './hosts-file.js';

/**
 * OpenSSH allows 10 sessions per connection by default (`MaxSessions`); past it a channel is
 * refused. Stay under it and queue the rest.
 */
const MAX_CHANNELS = 8;
const CONNECT_TIMEOUT_MS = 15_000;

export interface RemoteResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The command's exit code; -1 when it ended on a signal. */
  readonly exitCode: number;
}

export interface RemoteRun {
  /** Bytes written to the command's stdin, which is then closed. */
  readonly stdin?: string | Buffer;
  /** Where stdout goes instead of the result (a log being copied). */
  readonly stdout?: Writable;
  readonly timeoutMs: number;
}

/**
 * One SSH connection to one host, opened on first use and again after it drops; commands
 * run as channels over it. Its socket holds the process open only while a command runs, so
 * an idle connection never keeps the CLI from exiting.
 */
export class SshConnection {
  private client: Promise<ssh2.Client> | undefined;
  private socket: Socket | undefined;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly host: HostEntry) {}

  /** Runs a command line (already quoted for the remote shell). */
  async run(command: string, o: RemoteRun): Promise<RemoteResult> {
    await this.acquire();
    try {
      const client = await this.connected();
      return await this.channel(client, command, o);
    } finally {
      this.release();
    }
  }

  close(): void {
    const pending = this.client;
    this.client = undefined;
    this.socket = undefined;
    void pending?.then((c) => c.end(), () => undefined);
  }

  private channel(client: ssh2.Client, command: string, o: RemoteRun): Promise<RemoteResult> {
    const { name } = this.host;
    return new Promise((resolve, reject) => {
      client.exec(command, (err, stream) => {
        if (err !== undefined && err !== null) {
          reject(new InfrastructureError(`${name}: cannot run a command over SSH: ${err.message}`));
          return;
        }
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        let exitCode = -1;
        const timer = setTimeout(() => {
          stream.close();
          reject(new InfrastructureError(`${name}: \`${command.slice(0, 200)}\` did not finish within ${o.timeoutMs / 1000} s`, 'the host may be overloaded or the command hung; it may still be running there'));
        }, o.timeoutMs);
        if (o.stdout === undefined) stream.on('data', (b: Buffer) => out.push(b));
        else stream.pipe(o.stdout, { end: false });
        stream.stderr.on('data', (b: Buffer) => errs.push(b));
        stream.on('exit', (code: number | null) => {
          exitCode = typeof code === 'number' ? code : -1;
        });
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(errs), exitCode });
        });
        if (o.stdin !== undefined) stream.end(o.stdin);
        else stream.end();
      });
    });
  }

  private connected(): Promise<ssh2.Client> {
    this.client ??= this.open().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  private open(): Promise<ssh2.Client> {
    const h = this.host;
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: h.address, port: h.port });
      socket.setNoDelay(true);
      const client = new ssh2.Client();
      let offered: string | undefined;
      const fail = (err: Error): void => {
        socket.destroy();
        if (h.fingerprint !== undefined && offered !== undefined && offered !== h.fingerprint.replace(/=$/, '')) {
          reject(new InfrastructureError(`${h.name}: host key ${offered} is not the fingerprint the hosts file gives (${h.fingerprint})`, 'if the host was reinstalled, update its fingerprint'));
          return;
        }
        reject(new InfrastructureError(`${h.name}: cannot connect over SSH to ${h.user}@${h.address}:${h.port}: ${err.message}`, hintFor(err)));
      };
      client.once('ready', () => {
        client.removeListener('error', fail);
        // A later error (the host went away) drops this connection; the next command reconnects.
        client.on('error', () => this.forget(client));
        client.on('close', () => this.forget(client));
        this.socket = socket;
        if (this.active === 0) socket.unref();
        resolve(client);
      });
      client.once('error', fail);
      socket.once('error', fail);
      client.connect({
        sock: socket,
        username: h.user,
        privateKey: h.privateKey,
        readyTimeout: CONNECT_TIMEOUT_MS,
        keepaliveInterval: 5_000,
        keepaliveCountMax: 4,
        hostVerifier: (key: Buffer): boolean => {
          offered = fingerprint(key);
          return h.fingerprint === undefined || h.fingerprint.replace(/=$/, '') === offered;
        },
      });
    });
  }

  private forget(client: ssh2.Client): void {
    void this.client?.then((c) => {
      if (c !== client) return;
      this.client = undefined;
      this.socket = undefined;
    }, () => undefined);
  }

  private async acquire(): Promise<void> {
    // A waiter is handed the slot of the command that ends (the count does not change).
    if (this.active >= MAX_CHANNELS) return new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.active++ === 0) this.socket?.ref();
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else if (--this.active === 0) this.socket?.unref();
  }
}

/** `SHA256:…` (unpadded base64), as `ssh-keygen -l` prints a key's fingerprint. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function hintFor(err: Error): string {
  if (/authentication/i.test(err.message)) return 'is the key in the user\'s ~/.ssh/authorized_keys on the host?';
  if (/ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT|timed out/i.test(err.message)) return 'is sshd running on the host and the port reachable from here?';
  return 'check the host\'s entry in the hosts file';
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
