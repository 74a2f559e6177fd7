import type { Json } from '../../history/event.js';
import { executeTest } from '../../execute/execute.js';
import { type PlannedTest } from '../../campaign/expand.js';
import { outcomeText } from '../../campaign/index-page.js';
import { type CampaignDir, createCampaignDir, writeCampaignFiles, writeRunReport } from '../../campaign/outputs.js';
import { runCampaign } from '../../campaign/run.js';
import { type TestOutcome, paint, useColor } from '../../output/index.js';
import { progress } from './images.js';
import { progressPrinter } from './run.js';

/**
 * A series of tests run one after another with what a campaign gives (a directory with an
 * index linking every run's report, campaign.json, junit.xml), for commands built on
 * campaigns: `repro` and `shrink`. Returns the outcomes; the caller decides what they mean.
 */
export async function runSeries(o: {
  readonly name: string;
  readonly title: string;
  readonly store: string;
  readonly tests: readonly PlannedTest[];
  readonly meta?: { readonly [k: string]: Json };
  /** A line before each test (`candidate 3: kill of n1, 2.0 s–5.0 s`). */
  readonly describe?: (index: number, test: PlannedTest) => string;
}): Promise<{ outcomes: TestOutcome[]; dir: CampaignDir }> {
  const dir = await createCampaignDir(o.store, o.name, new Date());
  const color = useColor();
  const meta = { campaign: o.name, directory: dir.path, startedAt: new Date().toISOString(), ...(o.meta ?? {}) };
  const done: TestOutcome[] = [];
  let p = progress();
  const outcomes = await runCampaign({
    tests: o.tests,
    execute: executeTest,
    log: (l) => p.line(l),
    onProgress: progressPrinter((line) => p.line(line)),
    onTestStart: (i, t) => {
      p = progress();
      p.line(`[${i + 1}/${o.tests.length}] ${o.describe?.(i, t) ?? t.spec.name} …`);
    },
    onTestEnd: async (i, t, outcome) => {
      const warning = outcome.runDir === undefined ? undefined : await writeRunReport(outcome.runDir);
      done.push(warning === undefined ? outcome : { ...outcome, warnings: [...outcome.warnings, warning] });
      p.done(`[${i + 1}/${o.tests.length}] ${t.spec.name} … ${paint(color, outcome.verdict, outcomeText(outcome))} (${Math.round(outcome.durationMs / 1000)} s)`);
      await writeCampaignFiles(dir, o.title, meta, done);
    },
    onInterrupted: (all) => writeCampaignFiles(dir, o.title, meta, all),
  });
  await writeCampaignFiles(dir, o.title, meta, outcomes);
  return { outcomes, dir };
}
