// Side-by-side measurement of this build and a previous one (`--baseline DIR`, DIR being the
// `dist` of another checkout), shared by the benchmarks: each measurement runs in a fresh
// child process (so its peak RSS is its own), which imports the code under test from the
// dist it is given; the workload generators stay this build's, so both builds see the same
// input in the same run.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This build's dist (the folder holding `bench/`). */
export function thisDist(benchUrl: string): string {
  return resolve(dirname(fileURLToPath(benchUrl)), '..');
}

/** The `--baseline DIR` argument, resolved, if given. */
export function baselineDist(args: readonly string[]): string | undefined {
  const b = args.indexOf('--baseline');
  return b >= 0 && args[b + 1] !== undefined ? resolve(args[b + 1]!) : undefined;
}

/** A module of a dist, e.g. `src/checker/txn/index.js`. */
export async function importFrom<T>(dist: string, path: string): Promise<T> {
  return (await import(pathToFileURL(join(dist, path)).href)) as T;
}

/**
 * Runs `script --child ...args` in a fresh node and parses the JSON it prints; a child that
 * crashes (out of memory, typically) gives `{ crashed }` with the first line of the error.
 */
export function runChild<T>(script: string, args: readonly string[], nodeFlags: readonly string[] = ['--max-old-space-size=4096']): T | { crashed: string } {
  try {
    const text = execFileSync(process.execPath, [...nodeFlags, script, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(text) as T;
  } catch (e) {
    const err = e as Error & { stderr?: string; signal?: string };
    const oom = /heap out of memory|Reached heap limit/.test(err.stderr ?? '');
    return { crashed: oom ? 'out of memory' : (err.signal ?? err.message.split('\n')[0] ?? 'crashed') };
  }
}

export function crashed(m: object): m is { crashed: string } {
  return 'crashed' in m;
}
