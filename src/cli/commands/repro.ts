import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { type RecordedRun, loadRecordedRun, reproSummary, reproTests, reproduces } from '../../campaign/reproduce.js';
import { type FaultUnit, ddmin, describeUnit, faultUnits, scheduleOf } from '../../campaign/shrink-faults.js';
import { ExitCode } from '../../exit-codes.js';
import { runSeries } from './series.js';
import { exactJsonText } from '../../history/exact-json.js';

interface ReproFlags {
  runs: string;
  store?: string;
  json?: boolean;
}

interface ShrinkFlags {
  runs: string;
  threshold: string;
  timeBudget: string;
  store?: string;
  json?: boolean;
}

/**
 * `faultline repro RUN_DIR -n N`: the recorded test again, N times, with the same faults on
 * the same nodes at the same times, and how often the anomaly came back. `faultline shrink
 * RUN_DIR`: the smallest part of the fault schedule that still brings it back.
 */
export function registerRepro(program: Command): void {
  program
    .command('repro')
    .description('run a recorded test again N times (same spec, seed and fault schedule, fresh clusters) and say how often its anomaly reproduces')
    .argument('<run-dir>', 'a run directory, e.g. store/redis-set/latest')
    .option('-n, --runs <n>', 'how many times', '5')
    .option('--store <dir>', "where the runs go (default: the recorded run's store)")
    .option('--json', 'print the outcome as JSON')
    .action(async (runDir: string, flags: ReproFlags) => {
      const run = await loadRecordedRun(runDir);
      const n = count('-n', flags.runs);
      const { outcomes, dir } = await runSeries({
        name: `${run.spec.name}-repro`,
        title: `faultline repro ${run.spec.name}`,
        store: flags.store ?? run.spec.store,
        tests: reproTests(run, n),
        meta: { original: run.dir, anomalies: [...run.anomalies] },
      });
      const summary = reproSummary(run, outcomes);
      const same = outcomes.filter((o) => reproduces(run, o)).length;
      process.stderr.write(`${summary}\nindex: ${dir.indexPath}\n`);
      if (flags.json === true) process.stdout.write(`${exactJsonText({ original: run.dir, anomalies: run.anomalies, runs: n, reproduced: same, summary, index: dir.indexPath }, null, 2)}\n`);
      else process.stdout.write(`${summary}\n`);
      // Reproduced at all: the anomaly is real (1); never: unknown (2), never green.
      process.exitCode = same > 0 ? ExitCode.Invalid : ExitCode.Unknown;
    });

  program
    .command('shrink')
    .description('find the smallest part of a recorded fault schedule that still reproduces the anomaly (delta debugging, each candidate run --runs times)')
    .argument('<run-dir>', 'a run directory with an anomaly')
    .option('--runs <k>', 'runs per candidate schedule', '3')
    .option('--threshold <fraction>', 'a candidate reproduces when at least this fraction of its runs do', '0.5')
    .option('--time-budget <minutes>', 'stop searching after this long and report the smallest schedule found', '30')
    .option('--store <dir>', "where the runs go (default: the recorded run's store)")
    .option('--json', 'print the outcome as JSON')
    .action(async (runDir: string, flags: ShrinkFlags) => {
      const run = await loadRecordedRun(runDir);
      if (run.verdict !== 'invalid') throw new UsageError(`${runDir} found no anomaly (verdict ${run.verdict}): there is nothing to shrink`, 'shrink a run whose verdict is invalid');
      const result = await shrink(run, {
        runs: count('--runs', flags.runs),
        threshold: fraction(flags.threshold),
        budgetMs: Number(flags.timeBudget) * 60_000,
        store: flags.store ?? run.spec.store,
      });
      if (flags.json === true) process.stdout.write(`${exactJsonText(result, null, 2)}\n`);
      else process.stdout.write(`${result.summary}\n`);
      process.exitCode = result.minimal.length === 0 && !result.reproducedWithout ? ExitCode.Unknown : ExitCode.Invalid;
    });
}

interface ShrinkResult {
  summary: string;
  minimal: string[];
  /** The anomaly came back with no fault at all. */
  reproducedWithout: boolean;
  /** Whether the search ended (1-minimal) or ran out of budget. */
  complete: boolean;
  candidates: number;
  index: string[];
}

/** ddmin over the run's faults, each candidate run `runs` times in a series of its own. */
async function shrink(run: RecordedRun, o: { runs: number; threshold: number; budgetMs: number; store: string }): Promise<ShrinkResult> {
  const units = faultUnits(run.schedule);
  const deadline = Date.now() + o.budgetMs;
  const indexes: string[] = [];
  let candidates = 0;
  const rates = new Map<string, string>();
  const keyOf = (subset: readonly FaultUnit[]): string => subset.map((u) => units.indexOf(u)).join(',');
  const stillFails = async (subset: readonly FaultUnit[]): Promise<boolean> => {
    candidates++;
    const schedule = scheduleOf(subset);
    const { outcomes, dir } = await runSeries({
      name: `${run.spec.name}-shrink`,
      title: `faultline shrink ${run.spec.name}: candidate ${candidates}`,
      store: o.store,
      tests: reproTests(run, o.runs, schedule, `shrink${candidates}`),
      describe: () => `candidate ${candidates}: ${subset.length === 0 ? 'no fault' : subset.map(describeUnit).join('; ')}`,
    });
    indexes.push(dir.indexPath);
    const same = outcomes.filter((x) => reproduces(run, x)).length;
    rates.set(keyOf(subset), `${same}/${outcomes.length}`);
    process.stderr.write(`candidate ${candidates} (${subset.length} of ${units.length} faults): ${same}/${outcomes.length} reproduced\n`);
    return same >= Math.max(1, Math.ceil(o.threshold * outcomes.length));
  };
  const { result, complete } = await ddmin(units, stillFails, () => Date.now() < deadline);
  // One fault left: does the anomaly need any fault at all?
  const reproducedWithout = result.length === 1 && Date.now() < deadline ? await stillFails([]) : false;
  const rate = rates.get(keyOf(result)) ?? 'the original run';
  const minimal = result.map(describeUnit);
  const summary = reproducedWithout
    ? `no fault is needed: the anomaly reproduced without any (${rates.get('')})`
    : result.length === 0
      ? 'the recorded run applied no fault to shrink'
      : `${result.length === 1 ? 'one fault is' : `${result.length} faults are`} enough (${rate}): ${minimal.join('; ')}${complete ? '' : ' — the time budget ran out before the search ended: this may not be the smallest'}`;
  return { summary, minimal, reproducedWithout, complete, candidates, index: indexes };
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

function fraction(text: string): number {
  const f = Number(text);
  if (!(f > 0 && f <= 1)) throw new UsageError(`--threshold must be a fraction in (0, 1], got "${text}"`);
  return f;
}
