import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InfrastructureError, UsageError } from '../errors.js';
import type { Json } from '../history/event.js';
import { exactJsonText } from '../history/exact-json.js';

/**
 * A run's directory: `<store>/<test-name>/<timestamp>/` holding
 * - `history.jsonl` — the history, appended while the run goes (see HistoryWriter);
 * - `test.json`     — the full spec, the seed, the versions of the systems and of faultline;
 * - `results.json`  — the checkers' results and the run's counts;
 * - `nodes/<node>/` — logs copied out of each node;
 * and `<store>/<test-name>/latest`, a symlink to the newest run of that test.
 */
export interface RunDir {
  readonly store: string;
  readonly testName: string;
  /** The run directory's absolute path. */
  readonly path: string;
  readonly historyPath: string;
  readonly testJsonPath: string;
  readonly resultsPath: string;
}

export const DEFAULT_STORE = 'store';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface CreateRunDirOptions {
  /** The store's root (`--store DIR`); relative to the working directory. Default `store`. */
  store?: string;
  testName: string;
  startedAt?: Date;
}

/** `2026-11-22T06:13:36.123Z` → `20261122T061336.123Z`: sorts by time and is a valid file name everywhere. */
export function timestampDirName(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '');
}

export function checkName(what: string, name: string): void {
  if (!NAME.test(name) || name === 'latest') {
    throw new UsageError(
      `${what} "${name}" cannot be used as a directory name`,
      'use letters, digits, ".", "_" and "-", starting with a letter or digit (and not "latest")',
    );
  }
}

export async function createRunDir(options: CreateRunDirOptions): Promise<RunDir> {
  checkName('test name', options.testName);
  const store = resolve(options.store ?? DEFAULT_STORE);
  const testDir = join(store, options.testName);
  const stamp = timestampDirName(options.startedAt ?? new Date());
  try {
    await mkdir(testDir, { recursive: true });
  } catch (err) {
    throw new InfrastructureError(`cannot create ${testDir}: ${(err as Error).message}`, 'choose a writable place with --store DIR');
  }
  // Two runs started in the same millisecond get "-2", "-3", …: never share a directory.
  for (let attempt = 1; attempt <= 100; attempt++) {
    const name = attempt === 1 ? stamp : `${stamp}-${attempt}`;
    const path = join(testDir, name);
    try {
      await mkdir(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new InfrastructureError(`cannot create ${path}: ${(err as Error).message}`, 'choose a writable place with --store DIR');
    }
    await pointLatestAt(testDir, name);
    return {
      store,
      testName: options.testName,
      path,
      historyPath: join(path, 'history.jsonl'),
      testJsonPath: join(path, 'test.json'),
      resultsPath: join(path, 'results.json'),
    };
  }
  throw new InfrastructureError(`cannot create a run directory under ${testDir}: 100 runs in the same millisecond`);
}

/** Replaces the `latest` symlink atomically (a new link renamed over the old), so readers never see it missing. */
async function pointLatestAt(testDir: string, runName: string): Promise<void> {
  const tmp = join(testDir, `.latest-${process.pid}-${Date.now()}`);
  try {
    await symlink(runName, tmp);
    await rename(tmp, join(testDir, 'latest'));
  } catch (err) {
    await rm(tmp, { force: true });
    throw new InfrastructureError(`cannot update ${join(testDir, 'latest')}: ${(err as Error).message}`, 'the store must be on a file system that supports symlinks');
  }
}

/** `nodes/<node>/` inside the run directory, created on first use. */
export async function nodeDir(run: RunDir, node: string): Promise<string> {
  checkName('node name', node);
  const dir = join(run.path, 'nodes', node);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes JSON through a temporary file and a rename, so a crash never leaves half a file. */
export async function writeJsonFile(path: string, value: Json): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${exactJsonText(value, null, 2)}\n`);
    await rename(tmp, path);
  } catch (err) {
    // A full disk leaves no half-written file behind; the previous version, if any, stays.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** What test.json records: enough to replay the run (`--seed`, the same spec). */
export type TestRecord = {
  name: string;
  seed: number;
  startedAt: string;
  /** The validated TestSpec, as given. */
  spec: Json;
  versions: { faultline: string; systems: Record<string, string> };
  /** Where the workload's clients ran (in the runner, or a process per worker that client pauses freeze). */
  clients?: string;
  /** Each node's limits, as applied. */
  resources?: { memoryMiB: number; cpus: number; pids: number };
  /** Where the nodes came from (`docker`, `ssh`), and what they ran (an image tagged by content hash). */
  provider?: string;
  image?: string;
  /** Fault kinds `all` left out because this system cannot take them, and why. */
  skippedFaults?: string[];
  /** Capabilities and devices the nodes got beyond NET_ADMIN, and for which faults (absent: none). */
  privileges?: { capAdd: string[]; devices: string[]; for: string[] };
};

export function writeTestJson(run: RunDir, record: TestRecord): Promise<void> {
  return writeJsonFile(run.testJsonPath, record);
}

export function writeResultsJson(run: RunDir, results: Json): Promise<void> {
  return writeJsonFile(run.resultsPath, results);
}
