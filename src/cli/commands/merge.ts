import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeShards, readShardSummary } from '../../campaign/shard.js';
import { type CampaignDir, writeCampaignFiles } from '../../campaign/outputs.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import type { Json } from '../../history/event.js';
import { exactJsonText, parseExactJson } from '../../history/exact-json.js';
import { type TestOutcome, exitCodeFor, summaryJson, writeJunit } from '../../output/index.js';
import { timestampDirName } from '../../store/run-dir.js';

interface MergeFlags {
  out?: string;
  junit?: string;
  json?: boolean;
  allowPartial?: boolean;
}

/**
 * `faultline merge DIR...`: the campaign directories of `campaign --shard i/n` runs (on
 * other machines, say) as one campaign: one index, one campaign.json, one JUnit file and
 * the exit code a single run of the whole campaign would have had.
 */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the campaign directories of sharded runs (campaign --shard i/n) into one index, summary, JUnit file and exit code')
    .argument('<dirs...>', 'the shards\' campaign directories (each holds campaign.json)')
    .option('--out <dir>', 'where the merged index.html, campaign.json and junit.xml go (default: beside the first shard, merged-<time>)')
    .option('--junit <file>', 'also write the JUnit XML here')
    .option('--json', 'print the merged summary on stdout')
    .option('--allow-partial', 'merge even when shards are missing; the verdict is then never valid')
    .action(async (dirs: string[], flags: MergeFlags) => {
      const shards = await Promise.all(dirs.map(async (dir) => readShardSummary(join(dir, 'campaign.json'), await readSummary(join(dir, 'campaign.json')))));
      const merged = mergeShards(shards, flags.allowPartial === true);
      const outcomes: TestOutcome[] = [
        ...merged.outcomes,
        // A shard that never reported proves nothing: counted as a test without a verdict.
        ...merged.missing.map((i): TestOutcome => ({ name: `shard ${i}/${merged.count}`, status: 'error', verdict: 'unknown', checkers: [], durationMs: 0, error: `shard ${i}/${merged.count} is missing from the merge`, errorExitCode: ExitCode.Unknown, warnings: [] })),
      ];
      const out = resolve(flags.out ?? join(dirname(resolve(dirs[0]!)), `merged-${timestampDirName(new Date())}`));
      await mkdir(out, { recursive: true });
      const dir: CampaignDir = { path: out, jsonPath: join(out, 'campaign.json'), junitPath: join(out, 'junit.xml'), indexPath: join(out, 'index.html') };
      const meta: { [k: string]: Json } = { campaign: merged.campaign, seed: merged.seed, directory: out, merged: dirs.map((d) => resolve(d)), shards: merged.count };
      const title = `faultline campaign ${merged.campaign} (${shards.length} of ${merged.count} shards)`;
      await writeCampaignFiles(dir, title, meta, outcomes);
      if (flags.junit !== undefined) await writeJunit(outcomes, flags.junit, title);
      process.stdout.write(flags.json === true ? `${exactJsonText(summaryJson(outcomes, meta), null, 2)}\n` : `${title}: ${outcomes.length} tests, exit code ${exitCodeFor(outcomes)}\nindex: ${dir.indexPath}\n`);
      process.exitCode = exitCodeFor(outcomes);
    });
}

async function readSummary(path: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(path, undefined, 'cannot be read: give the campaign directories the shards wrote (each holds campaign.json)');
  }
  try {
    return parseExactJson(text) as Json;
  } catch {
    throw new InputError(path, undefined, 'is not JSON');
  }
}
