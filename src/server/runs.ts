import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json } from '../history/event.js';
import { asVerdict, isObj } from '../report/checkers.js';
import { overallVerdict } from '../report/derive.js';
import type { RunEntry } from '../report/index-page.js';

/** A store can hold many runs; the index lists the newest this many. */
export const MAX_LISTED_RUNS = 1000;
/** Names the store gives its directories (see `checkName` in src/store/run-dir.ts). */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Every run under `<store>/<test>/<run>/`, newest first (by the run directory's name,
 * which is its start time). `latest` links and anything not named like a store directory
 * are skipped.
 */
export async function listRuns(store: string): Promise<{ runs: RunEntry[]; truncated: boolean }> {
  const found: Array<{ test: string; run: string }> = [];
  // `campaigns/` holds campaign summaries (src/campaign/outputs.ts), not runs.
  for (const test of (await dirs(store)).filter((d) => d !== 'campaigns')) {
    for (const run of await dirs(join(store, test))) found.push({ test, run });
  }
  found.sort((a, b) => (a.run < b.run ? 1 : a.run > b.run ? -1 : a.test.localeCompare(b.test)));
  const shown = found.slice(0, MAX_LISTED_RUNS);
  const runs = await Promise.all(shown.map(({ test, run }) => runEntry(store, test, run)));
  return { runs, truncated: found.length > shown.length };
}

async function dirs(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && e.name !== 'latest' && SAFE_NAME.test(e.name)).map((e) => e.name);
}

async function runEntry(store: string, test: string, run: string): Promise<RunEntry> {
  const dir = join(store, test, run);
  const spec = obj(await json(join(dir, 'test.json')));
  const results = obj(await json(join(dir, 'results.json')));
  const specBody = obj(spec?.['spec']);
  const entry: RunEntry = {
    path: `${test}/${run}`,
    name: typeof spec?.['name'] === 'string' ? spec['name'] : test,
    startedAt: typeof spec?.['startedAt'] === 'string' ? spec['startedAt'] : startFromDirName(run),
    // The same rule as the report's: no results.json, or no checker, is never green.
    verdict: overallVerdict(results, Array.isArray(results?.['checkers']) ? results['checkers'].map((c) => asVerdict(isObj(c) ? c['verdict'] : undefined)) : []).verdict,
    complete: results !== undefined,
  };
  const system = specBody?.['system'] ?? results?.['system'];
  const workload = specBody?.['workload'] ?? results?.['workload'];
  if (typeof system === 'string') entry.system = system;
  if (typeof workload === 'string') entry.workload = workload;
  return entry;
}

/** `20261122T061336.123Z` → `2026-11-22T06:13:36.123Z` */
function startFromDirName(run: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z/.exec(run);
  return m === null ? run : `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`;
}

async function json(path: string): Promise<Json | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Json;
  } catch {
    return undefined;
  }
}

function obj(v: Json | undefined): { [k: string]: Json } | undefined {
  return isObj(v) ? v : undefined;
}
