import { type ChildProcess, execFile, spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { Label } from '../../src/cluster/labels.js';
import { cliPath } from './cluster-helpers.js';

/** A CLI started in the background, its stderr read line by line as it comes. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (seen so far or later) matching `pattern`; rejects after `ms` or when the CLI exits first. */
  waitForLine(pattern: RegExp, ms: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function startCli(args: readonly string[], options: { stdout?: 'pipe' | 'ignore' } = {}): CliProcess {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal, at: Date.now() }));
  });
  const waitForLine = (pattern: RegExp, ms: number): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms; stderr:\n${lines.slice(-15).join('\n')}`)), ms);
      void exited.then(() => setTimeout(() => reject(new Error(`the CLI exited before printing ${pattern}; stderr:\n${lines.slice(-15).join('\n')}`)), 100));
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  };
  return { child, lines, waitForLine, exited };
}

/** The containers of the clusters a run named `test` made (`faultline.cluster=run-<test>`), by node name. */
export async function runContainers(docker: Docker, test: string): Promise<Map<string, Docker.ContainerInfo>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${Label.cluster}=run-${test}`] } });
  return new Map(list.map((c) => [c.Labels[Label.node] ?? '?', c]));
}

/** Removes whatever a test's run left (its own label only: other people's clusters share the engine). */
export async function removeRunLeftovers(docker: Docker, test: string): Promise<void> {
  const filters = { label: [`${Label.cluster}=run-${test}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

/** The built CLI run to its end: exit code and output, whatever the code. */
export function cliExit(args: readonly string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cliPath, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      done({ code, stdout, stderr });
    });
  });
}
