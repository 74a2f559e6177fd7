import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import type { HistoryEvent, Json } from '../history/event.js';
import { readHistoryJsonl } from '../store/read-history.js';
import { type RunParts, buildReportInput } from './derive.js';
import type { ReportInput } from './input.js';
import { parseExactJson } from '../history/exact-json.js';

/**
 * Reads a run directory (`test.json`, `history.jsonl`, `results.json`) into a ReportInput.
 * A crashed run may lack results.json or even test.json: the report is still made, says
 * what is missing, and its verdict is unknown. A run directory with none of the three
 * files is a usage error (probably the wrong directory).
 */
export async function loadRun(runDir: string): Promise<ReportInput> {
  const dir = resolve(runDir);
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new UsageError(`${runDir} is not a directory`, 'give a run directory, e.g. store/<test-name>/latest');
  }
  const problems: string[] = [];
  const test = await readJson(join(dir, 'test.json'), problems);
  const results = await readJson(join(dir, 'results.json'), problems);
  let events: HistoryEvent[] = [];
  let tornTail = false;
  const historyPath = join(dir, 'history.jsonl');
  try {
    ({ events, tornTail } = await readHistoryJsonl(historyPath));
  } catch (err) {
    // Missing is a problem the report shows; unreadable otherwise (a directory in its place) is the InputError.
    if (await stat(historyPath).then(() => true, () => false)) throw err;
    problems.push('history.jsonl is missing: no operation was recorded.');
  }
  if (test === undefined && results === undefined && events.length === 0) {
    throw new UsageError(`${runDir} holds no test.json, results.json or history.jsonl`, 'give a run directory, e.g. store/<test-name>/latest');
  }
  // A symlink such as `latest` says nothing; name the run after the directory it points to.
  const parts: RunParts = { dirName: basename(dir) === 'latest' ? basename(join(dir, '..')) : basename(dir), events, tornTail, problems };
  if (test !== undefined) parts.test = test;
  if (results !== undefined) parts.results = results;
  return buildReportInput(parts);
}

async function readJson(path: string, problems: string[]): Promise<Json | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      problems.push(`${basename(path)} is missing.`);
      return undefined;
    }
    throw new InputError(path, undefined, `cannot be read: ${(err as Error).message}`);
  }
  try {
    return parseExactJson(text) as Json;
  } catch (err) {
    // A half-written results.json would be a crash; say so in the report instead of refusing to make one.
    problems.push(`${basename(path)} is not valid JSON (${(err as Error).message}); it was ignored.`);
    return undefined;
  }
}
