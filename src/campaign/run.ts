import { onInterrupt } from '../cluster/teardown.js';
import type { ExecuteOptions, ExecuteResult } from '../execute/execute.js';
import { type TestOutcome, outcomeNotRun, outcomeOfError, outcomeOfRun } from '../output/index.js';
import type { PlannedTest } from './expand.js';

export type Execute = (o: ExecuteOptions) => Promise<ExecuteResult>;

export interface RunCampaignOptions {
  readonly tests: readonly PlannedTest[];
  /** Normally `executeTest`; tests give a function that needs no Docker. */
  readonly execute: Execute;
  /** Step lines of the current test. */
  readonly log?: (line: string) => void;
  readonly onProgress?: ExecuteOptions['onProgress'];
  readonly onTestStart?: (index: number, test: PlannedTest) => void;
  readonly onTestEnd?: (index: number, test: PlannedTest, outcome: TestOutcome) => void | Promise<void>;
  /** Stops the campaign: the current test stops (and is checked), the rest are not run. */
  readonly signal?: AbortSignal;
  /**
   * Called once with every test's outcome when Ctrl-C stopped the campaign, before the
   * process exits 130: the place to write campaign.json and the JUnit file.
   */
  readonly onInterrupted?: (outcomes: readonly TestOutcome[]) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Runs the tests one after another. A test that fails without a verdict (no Docker, a
 * cluster that never became healthy) is recorded as an error and the campaign goes on.
 * On abort or Ctrl-C the current test is stopped (the runner heals and tears down), and
 * every later test is recorded as not run.
 */
export async function runCampaign(o: RunCampaignOptions): Promise<TestOutcome[]> {
  const now = o.now ?? Date.now;
  const outcomes: TestOutcome[] = [];
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  if (o.signal?.aborted === true) abort();
  let current: Promise<unknown> = Promise.resolve();
  // Ctrl-C: the process exits 130 once every registered action is done; ours waits for the
  // current test to finish its own teardown, then records the campaign as it stands.
  const unregister = onInterrupt('campaign', async () => {
    abort();
    await current.catch(() => undefined);
    await o.onInterrupted?.(complete(outcomes, o.tests));
  });
  try {
    for (const [i, test] of o.tests.entries()) {
      if (stop.signal.aborted) break;
      o.onTestStart?.(i, test);
      // `current` settles once the outcome is recorded, so an interruption sees it.
      current = runOne(o, test, stop.signal, now).then(async (outcome) => {
        outcomes.push(outcome);
        await o.onTestEnd?.(i, test, outcome);
      });
      await current;
    }
  } finally {
    unregister();
    o.signal?.removeEventListener('abort', abort);
  }
  return complete(outcomes, o.tests);
}

async function runOne(o: RunCampaignOptions, test: PlannedTest, signal: AbortSignal, now: () => number): Promise<TestOutcome> {
  const t0 = now();
  let outcome: TestOutcome;
  try {
    const r = await o.execute({
      spec: test.spec,
      signal,
      ...(o.log === undefined ? {} : { log: o.log }),
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
    });
    outcome = outcomeOfRun(test.spec, r, now() - t0);
  } catch (err) {
    outcome = outcomeOfError(test.spec, err, now() - t0);
  }
  // Stopped part-way: whatever the partial history says, it is not a pass.
  if (signal.aborted && outcome.status === 'checked') outcome = { ...outcome, status: 'interrupted', verdict: outcome.verdict === 'valid' ? 'unknown' : outcome.verdict };
  return test.expect === undefined ? outcome : { ...outcome, expect: test.expect };
}

/** The outcomes so far, then every test not reached, as not run. */
function complete(outcomes: readonly TestOutcome[], tests: readonly PlannedTest[]): TestOutcome[] {
  return [...outcomes, ...tests.slice(outcomes.length).map((t) => outcomeNotRun(t.spec))];
}
