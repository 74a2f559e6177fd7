import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OpRequest } from '../generator/types.js';
import type { Client, OpenClient } from './client.js';
import type { Outcome } from './outcome.js';
import type { HostReply, HostRequest } from './client-host-protocol.js';
import { CLIENT_HOST_FLAG, LIBRARY_ERROR, OWNER_FLAG } from './client-host-protocol.js';
import { InfrastructureError } from '../errors.js';
import { START_LIMITS, type StartLimits, type StartWatch, startWatch } from './client-host-start.js';

/** How the child builds its clients: an ES module exporting `createOpenClient(payload)`, and its payload. */
export interface ClientFactory {
  /** A file URL or absolute path of the module. */
  readonly module: string;
  /** Plain, structured-cloneable data (the test spec, the nodes' names and addresses). */
  readonly payload: unknown;
}

const CHILD = fileURLToPath(new URL('./client-host-child.js', import.meta.url));
const EXIT_GRACE_MS = 3_000;

interface Pending {
  resolve(reply: HostReply): void;
}

/**
 * One child process per client worker, running that worker's clients — its connections,
 * sessions, heartbeats and timers — so that a client pause can freeze all of them at once
 * with SIGSTOP, as a long GC pause or a stopped VM would, and a client library that throws
 * from its own event handlers takes down one worker's process, not the run.
 *
 * Used only when a run asks for client pauses: a message per operation costs tens of
 * microseconds the default in-process clients do not pay.
 */
export class ClientHosts {
  private readonly children: (ChildProcess | undefined)[];
  private readonly pending = new Map<number, Pending>();
  /** Requests each child has not answered yet, failed at once if it dies. */
  private readonly unanswered = new Map<ChildProcess, Set<number>>();
  private readonly frozen = new Set<number>();
  private nextId = 0;
  private closed = false;
  private readonly killAll = (): void => {
    for (const c of this.children) if (c?.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
  };
  /** Why a child ended on its own (a crash), by thread, for the run's errors. */
  readonly crashes: string[] = [];

  constructor(
    private readonly factory: ClientFactory,
    readonly concurrency: number,
    private readonly startLimits: StartLimits = START_LIMITS,
  ) {
    this.children = Array.from({ length: concurrency }, () => undefined);
    // A frozen child outlives a crashed parent unless killed; `faultline clean` reaps what a SIGKILL leaves.
    process.on('exit', this.killAll);
  }

  /** Starts every worker's child and waits until each has built its client factory. */
  async start(): Promise<void> {
    await Promise.all(this.children.map((_, thread) => this.child(thread)));
  }

  readonly openClient: OpenClient = async (node, proc, signal) => {
    const thread = proc % this.concurrency;
    const reply = await this.request(thread, { t: 'open', id: 0, node, process: proc }, signal);
    if (reply.t === 'failed') throw new Error(reply.error);
    return this.proxy(thread, node, proc);
  };

  private proxy(thread: number, node: string, proc: number): Client {
    return {
      node,
      invoke: async (op: OpRequest, signal: AbortSignal): Promise<Outcome> => {
        const reply = await this.request(thread, { t: 'invoke', id: 0, node, process: proc, op }, signal);
        if (reply.t === 'done') return reply.outcome;
        return { type: 'info', error: reply.t === 'failed' ? reply.error : 'no reply' };
      },
      close: async () => {
        await this.request(thread, { t: 'close', id: 0, node, process: proc });
      },
    };
  }

  /** SIGSTOP: the worker's client process stops dead, heartbeats and all. */
  freeze(thread: number): number | undefined {
    const c = this.children[thread];
    if (c?.pid === undefined || c.exitCode !== null) return undefined;
    this.frozen.add(thread);
    c.kill('SIGSTOP');
    return c.pid;
  }

  thaw(thread: number): void {
    if (!this.frozen.delete(thread)) return;
    this.children[thread]?.kill('SIGCONT');
  }

  /** Thaws and ends every child (asked to close its clients, killed after a grace period). */
  async close(): Promise<void> {
    this.closed = true;
    for (const thread of [...this.frozen]) this.thaw(thread);
    await Promise.all(
      this.children.map(async (c) => {
        if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        if (c.connected) c.send({ t: 'exit', id: 0 } satisfies HostRequest);
        const timer = setTimeout(() => c.kill('SIGKILL'), EXIT_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
    process.off('exit', this.killAll);
  }

  /** Sends a request to the thread's child; resolves with its reply, or `failed` if the child dies first. */
  private async request(thread: number, message: HostRequest, signal?: AbortSignal): Promise<HostReply> {
    const child = await this.child(thread);
    const id = ++this.nextId;
    const sent: HostRequest = { ...message, id };
    return new Promise<HostReply>((resolve) => {
      const onAbort = (): void => {
        if (child.connected) child.send({ t: 'abort', id } satisfies HostRequest);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const unanswered = this.unanswered.get(child) ?? new Set<number>();
      this.unanswered.set(child, unanswered);
      unanswered.add(id);
      this.pending.set(id, {
        resolve: (reply) => {
          unanswered.delete(id);
          signal?.removeEventListener('abort', onAbort);
          resolve(reply);
        },
      });
      if (!child.connected) this.settle({ t: 'failed', id, error: 'client process gone' });
      else child.send(sent);
    });
  }

  private settle(reply: HostReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    p.resolve(reply);
  }

  private readonly starting = new Map<number, Promise<ChildProcess>>();

  /** The thread's child, started (again, after a crash) when needed. */
  private child(thread: number): Promise<ChildProcess> {
    const running = this.children[thread];
    if (running !== undefined && running.exitCode === null && running.signalCode === null) return Promise.resolve(running);
    let starting = this.starting.get(thread);
    if (starting === undefined) {
      starting = this.spawn(thread).finally(() => this.starting.delete(thread));
      this.starting.set(thread, starting);
    }
    return starting;
  }

  private spawn(thread: number): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new Error('client processes are closed'));
    const child = fork(CHILD, [CLIENT_HOST_FLAG, `${OWNER_FLAG}${process.pid}`], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: [],
    });
    this.children[thread] = child;
    const gone = (how: string): void => {
      // Only the thread's current process speaks for it; a replaced one is already accounted for.
      if (this.children[thread] !== child) return;
      this.children[thread] = undefined;
      this.frozen.delete(thread);
      if (!this.closed) this.crashes.push(`client process of worker ${thread} ended (${how}); its operations in flight ended as unknown`);
    };
    child.on('message', (reply: HostReply) => {
      // A library error ends the child: the next request must go to a fresh one.
      if (reply.t === 'failed' && reply.error.startsWith(LIBRARY_ERROR)) gone(reply.error);
      this.settle(reply);
    });
    // A message to a child that just died fails with EPIPE: its exit already says what happened.
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      const how = signal ?? `code ${code}`;
      gone(`exited with ${how}`);
      for (const id of [...(this.unanswered.get(child) ?? [])]) this.settle({ t: 'failed', id, error: `client process exited (${how})` });
      this.unanswered.delete(child);
    });
    return new Promise<ChildProcess>((resolve, reject) => {
      // Not a fixed 30 s: on a loaded machine (two lock-freeze runs side by side at load 21)
      // eight children loading their client libraries at once took longer than that while
      // working all along. The watch gives up on a child that makes no progress (no CPU time
      // used for a while: stuck, not slow) or that exceeds a generous cap.
      const watch: StartWatch = startWatch(child.pid, (why) => {
        child.kill('SIGKILL');
        reject(new InfrastructureError(`a client process (pid ${child.pid ?? '?'}) of worker ${thread} did not start: ${why}`, 'a machine too loaded to start the client processes, or a client library that hangs while loading; rerun on a less busy machine'));
      }, this.startLimits);
      const onReady = (m: HostReply): void => {
        if (m.id !== 0) return;
        watch.stop();
        child.off('message', onReady);
        if (m.t === 'failed') reject(new InfrastructureError(`a client process of worker ${thread} could not start: ${m.error}`));
        else resolve(child);
      };
      child.on('message', onReady);
      child.once('exit', (code, signal) => {
        if (!watch.stop()) return;
        reject(new InfrastructureError(`a client process of worker ${thread} exited while starting (${signal ?? `code ${code}`})`));
      });
      child.send({ t: 'init', id: 0, factory: this.factory } satisfies HostRequest);
    });
  }
}

/**
 * Client processes whose runner is gone (it was SIGKILLed while one of them was frozen, so
 * nothing thawed it): found by their argv marks in /proc, thawed and killed. Returns their pids.
 */
export async function reapOrphanClientHosts(dryRun = false): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const reaped: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!argv.includes(CLIENT_HOST_FLAG)) continue;
    const owner = Number(argv.find((a) => a.startsWith(OWNER_FLAG))?.slice(OWNER_FLAG.length));
    if (Number.isInteger(owner) && alive(owner)) continue;
    const pid = Number(entry);
    reaped.push(pid);
    if (dryRun) continue;
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return reaped;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
