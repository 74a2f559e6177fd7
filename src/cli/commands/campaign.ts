import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { randomSeed } from '../../generator/random.js';
import { executeTest } from '../../execute/execute.js';
import { expandCampaign, type PlannedTest } from '../../campaign/expand.js';
import { outcomeText } from '../../campaign/index-page.js';
import { loadCampaign } from '../../campaign/load.js';
import { type CampaignDir, createCampaignDir, writeCampaignFiles, writeRunReport } from '../../campaign/outputs.js';
import { parseShard, shardOf } from '../../campaign/shard.js';
import { runCampaign } from '../../campaign/run.js';
import type { Json } from '../../history/event.js';
import { type TestOutcome, emitGithubAnnotations, exitCodeFor, gatingVerdict, paint, summaryJson, table, useColor, writeJunit } from '../../output/index.js';
import { progress } from './images.js';
import { progressPrinter } from './run.js';
import { exactJsonText } from '../../history/exact-json.js';
import { PROVIDER_NAMES, chosenProvider } from '../../cluster/providers.js';

interface CampaignFlags {
  store?: string;
  json?: boolean;
  junit?: string;
  dryRun?: boolean;
  seed?: string;
  shard?: string;
  provider?: string;
  hosts?: string;
}

/**
 * `faultline campaign FILE.yaml`: every test of the file, one after another, then a
 * summary table, campaign.json, junit.xml and index.html in <store>/campaigns/<name>/<time>/,
 * and the worst verdict as the exit code.
 */
export function registerCampaign(program: Command): void {
  program
    .command('campaign')
    .description('run a matrix of tests from a campaign file; exit code = the worst verdict')
    .argument('<file>', 'campaign YAML file (see docs/campaigns.md, examples/quick.yaml)')
    .option('--store <dir>', 'where run and campaign directories go (default: the file\'s `store`, else "store")')
    .option('--json', 'print the machine-readable summary on stdout (logs stay on stderr)')
    .option('--junit <file>', 'also write the JUnit XML here (it is always written in the campaign directory)')
    .option('--seed <n>', 'the campaign seed when the file has none (default: random)')
    .option('--dry-run', 'print the expanded tests and exit; needs no Docker')
    .option('--shard <i/n>', 'run only slice i of n (test k goes to slice k mod n + 1): the same on every machine; combine with `faultline merge`')
    .option('--provider <name>', `where the nodes come from: ${PROVIDER_NAMES.join('|')}`, 'docker')
    .option('--hosts <file>', 'ssh: the hosts file; the tests run one after another on the same hosts (see docs/providers.md)')
    .action(async (file: string, flags: CampaignFlags) => {
      const campaign = await loadCampaign(file);
      const seed = campaign.seed ?? (flags.seed === undefined ? randomSeed() : parseSeed(flags.seed));
      const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
      const all = await expandCampaign(campaign, { seed, ...(flags.store === undefined ? {} : { store: flags.store }) });
      const tests = shard === undefined ? all : shardOf(all, shard);
      if (flags.dryRun === true) {
        process.stdout.write(flags.json === true ? `${exactJsonText({ campaign: campaign.name, seed, tests: tests.map((t) => t.spec) }, null, 2)}\n` : dryRunTable(tests));
        return;
      }
      // One provider for every test: SSH hosts are probed once, and a bad hosts file costs nothing.
      const provider = await chosenProvider(flags);
      const store = tests[0]?.spec.store ?? 'store';
      const dir = await createCampaignDir(store, campaign.name, new Date());
      const meta: { [k: string]: Json } = { campaign: campaign.name, file: basename(file), seed, directory: dir.path, startedAt: new Date().toISOString(), ...(shard === undefined ? {} : { shard: { ...shard } }) };
      const color = useColor();
      process.stderr.write(`faultline campaign ${campaign.name}: ${tests.length} test${tests.length === 1 ? '' : 's'}, seed ${seed}, ${dir.path}\n`);
      // Once only: on Ctrl-C both the interrupt handler and the normal path get here.
      let finished: Promise<void> | undefined;
      const finish = (outcomes: readonly TestOutcome[]): Promise<void> => (finished ??= report(outcomes));
      const report = async (outcomes: readonly TestOutcome[]): Promise<void> => {
        await writeCampaignFiles(dir, `faultline campaign ${campaign.name}`, meta, outcomes);
        if (flags.junit !== undefined) await writeJunit(outcomes, flags.junit, `faultline campaign ${campaign.name}`);
        emitGithubAnnotations(outcomes);
        process.stderr.write(`${summaryTable(outcomes, color)}\n${paint(color, 'dim', `index: ${dir.indexPath}`)}\n`);
        process.stdout.write(flags.json === true ? `${exactJsonText(summaryJson(outcomes, meta), null, 2)}\n` : '');
      };
      if (tests.length === 0) {
        // More shards than tests: this slice is empty, which is no failure of the campaign.
        await finish([]);
        process.stderr.write(`shard ${flags.shard ?? ''} has no test: the campaign has ${all.length}\n`);
        return;
      }
      let p = progress();
      const done: TestOutcome[] = [];
      const outcomes = await runCampaign({
        tests,
        execute: (o) => executeTest(provider === undefined ? o : { ...o, provider }),
        log: (l) => p.line(l),
        onProgress: progressPrinter((line) => p.line(line)),
        onTestStart: (i, t) => {
          p = progress();
          p.line(`${counter(i, tests.length)} ${t.spec.name} …`);
        },
        onTestEnd: async (i, t, o) => {
          const warning = o.runDir === undefined ? undefined : await writeRunReport(o.runDir);
          const outcome = warning === undefined ? o : { ...o, warnings: [...o.warnings, warning] };
          done.push(outcome);
          p.done(`${counter(i, tests.length)} ${t.spec.name} … ${paint(color, gatingVerdict(o), outcomeText(o))} (${Math.round(o.durationMs / 1000)} s)${o.error === undefined ? '' : `: ${o.error}`}`);
          await writeCampaignFiles(dir, `faultline campaign ${campaign.name}`, meta, [...done, ...tests.slice(done.length).map(notYet)]);
        },
        onInterrupted: (all) => finish(withReports(all, done)),
      });
      await finish(withReports(outcomes, done));
      process.exitCode = exitCodeFor(outcomes);
    });
}

function parseSeed(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new UsageError(`--seed must be an integer from 0 to 2147483647, got "${s}"`);
  return n;
}

const counter = (i: number, n: number): string => `[${i + 1}/${n}]`;

/** Outcomes with the report warnings added as each test ended. */
function withReports(all: readonly TestOutcome[], done: readonly TestOutcome[]): TestOutcome[] {
  return all.map((o, i) => done[i] ?? o);
}

/** Tests still to come, while the campaign runs: written as not run until they are. */
function notYet(t: PlannedTest): TestOutcome {
  return { name: t.spec.name, status: 'not-run', verdict: 'unknown', checkers: [], durationMs: 0, warnings: [], system: t.spec.system, workload: t.spec.workload, nemesis: t.spec.nemesis, seed: t.spec.seed };
}

export function summaryTable(outcomes: readonly TestOutcome[], color: boolean): string {
  const rows = outcomes.map((o, i) => [String(i + 1), o.name, outcomeText(o), `${Math.round(o.durationMs / 1000)} s`, o.runDir ?? '']);
  return table(['#', 'test', 'verdict', 'time', 'run directory'], rows, (r, c, text) => {
    const o = outcomes[r];
    return c === 2 && o !== undefined ? paint(color, o.status === 'checked' || o.verdict === 'invalid' ? o.verdict : 'unknown', text) : text;
  });
}

function dryRunTable(tests: readonly PlannedTest[]): string {
  const rows = tests.map((t, i) => {
    const s = t.spec;
    return [String(i + 1), s.name, s.system, s.workload, s.nemesis.join('+') || 'none', String(s.nodes), String(s.concurrency), `${s.timeLimitMs / 1000} s`, s.readMode ?? '', s.routing, String(s.seed), t.origin];
  });
  return `${table(['#', 'test', 'system', 'workload', 'nemesis', 'nodes', 'conc', 'time', 'read mode', 'routing', 'seed', 'from'], rows)}\n${tests.length} test(s)\n`;
}
