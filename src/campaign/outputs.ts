import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InfrastructureError } from '../errors.js';
import type { Json } from '../history/event.js';
import { type TestOutcome, renderJunit, summaryJson } from '../output/index.js';
import { loadRun } from '../report/load.js';
import { renderReport } from '../report/render.js';
import { timestampDirName } from '../store/run-dir.js';
import { renderCampaignIndex } from './index-page.js';
import { exactJsonText } from '../history/exact-json.js';

/** Campaign directories live in `<store>/campaigns/`, beside the tests' own directories. */
export const CAMPAIGNS_DIR = 'campaigns';

export interface CampaignDir {
  readonly path: string;
  readonly jsonPath: string;
  readonly junitPath: string;
  readonly indexPath: string;
}

/** `<store>/campaigns/<name>/<timestamp>/` */
export async function createCampaignDir(store: string, name: string, startedAt: Date): Promise<CampaignDir> {
  const path = join(resolve(store), CAMPAIGNS_DIR, name, timestampDirName(startedAt));
  try {
    await mkdir(path, { recursive: true });
  } catch (err) {
    throw new InfrastructureError(`cannot create ${path}: ${(err as Error).message}`, 'choose a writable place with --store DIR');
  }
  return { path, jsonPath: join(path, 'campaign.json'), junitPath: join(path, 'junit.xml'), indexPath: join(path, 'index.html') };
}

/** A run's report.html (what index.html links to). A run too broken to report on yields a warning, not a crash. */
export async function writeRunReport(runDir: string): Promise<string | undefined> {
  try {
    await writeFile(join(runDir, 'report.html'), renderReport(await loadRun(runDir)));
    return undefined;
  } catch (err) {
    return `the HTML report could not be written: ${(err as Error).message}`;
  }
}

/** campaign.json (the `--json` summary), junit.xml and index.html, rewritten after every test. */
export async function writeCampaignFiles(dir: CampaignDir, title: string, meta: { readonly [k: string]: Json }, outcomes: readonly TestOutcome[]): Promise<void> {
  try {
    await writeFile(dir.jsonPath, `${exactJsonText(summaryJson(outcomes, meta), null, 2)}\n`);
    await writeFile(dir.junitPath, renderJunit(outcomes, title));
    await writeFile(dir.indexPath, renderCampaignIndex(title, dir.path, outcomes));
  } catch (err) {
    throw new InfrastructureError(`cannot write the campaign files in ${dir.path}: ${(err as Error).message}`, 'check the disk and the --store directory');
  }
}
