import { UsageError } from '../errors.js';
import { type PlanOverrides, planRun } from '../execute/plan.js';
import { type TestSpec, TestSpecSchema, completeSpec } from '../spec/test-spec.js';
import type { Campaign, Match, NemesisEntry, TestOptions } from './schema.js';

/** One test of a campaign, ready for `executeTest`. */
export interface PlannedTest {
  readonly spec: TestSpec;
  /** Where it came from: `matrix` or `tests[i]`. */
  readonly origin: string;
  /** 1-based repetition number. */
  readonly repetition: number;
  readonly label?: string;
  /** The verdict the campaign expects (`invalid`: a canary for a known anomaly). */
  readonly expect?: Expectation;
}

export interface Expectation {
  readonly verdict: 'valid' | 'invalid';
  readonly source?: string;
}

export interface ExpandOptions {
  /** `--store` (wins over the file's `store`). */
  readonly store?: string;
  /** The campaign seed when the file has none (the CLI draws one at random). */
  readonly seed: number;
  /** Parts of each test's plan replaced (a client without a database, in tests). */
  readonly overrides?: PlanOverrides;
}

interface Candidate {
  system: string;
  workload: string;
  nemesis: string[];
  label: string | undefined;
  options: TestOptions;
  origin: string;
  explicit: boolean;
  expect?: Expectation;
}

/**
 * The campaign as a list of validated tests, in the order they run: the matrix (systems ×
 * workloads × nemeses × option variants, minus `exclude`), then the explicit `tests`, each
 * repeated `repetitions` times. Options are layered defaults < variant < matching overrides
 * < an explicit test's own fields. Every test goes through the runner's TestSpecSchema
 * and preflight, so a bad combination is reported now, naming the test.
 */
export async function expandCampaign(campaign: Campaign, o: ExpandOptions): Promise<PlannedTest[]> {
  const seed = campaign.seed ?? o.seed;
  const store = o.store ?? campaign.store ?? 'store';
  const candidates: Candidate[] = [];
  const m = campaign.matrix;
  if (m !== undefined) {
    for (const system of m.systems)
      for (const workload of m.workloads)
        for (const n of m.nemeses)
          for (const variant of m.options ?? [{}]) {
            const { label, ...options } = variant;
            const c: Candidate = { system, workload, nemesis: nemesisKinds(n), label, options, origin: 'matrix', explicit: false };
            if (!(campaign.exclude ?? []).some((x) => matches(x, c))) candidates.push(c);
          }
  }
  (campaign.tests ?? []).forEach((t, i) => {
    const { system, workload, nemesis, label, expect, source, ...options } = t;
    const expectation = expect === undefined ? undefined : { verdict: expect, ...(source === undefined ? {} : { source }) };
    candidates.push({ system, workload, nemesis: nemesisKinds(nemesis), label, options, origin: `tests[${i}]`, explicit: true, ...(expectation === undefined ? {} : { expect: expectation }) });
  });

  const planned: PlannedTest[] = [];
  const names = new Set<string>();
  for (const c of candidates) {
    const layered: TestOptions = { ...campaign.defaults };
    if (!c.explicit) Object.assign(layered, c.options);
    for (const ov of campaign.overrides ?? []) if (matches(ov.match, c)) Object.assign(layered, ov.set);
    if (c.explicit) Object.assign(layered, c.options);
    const base = uniqueName(names, [c.system, c.workload, c.nemesis.length === 0 ? 'none' : c.nemesis.join('_'), ...(c.label === undefined ? [] : [c.label])].join('-'));
    let skip = false;
    for (let rep = 1; rep <= campaign.repetitions && !skip; rep++) {
      const name = campaign.repetitions === 1 ? base : `${base}-r${rep}`;
      const input = { ...layered, system: c.system, workload: c.workload, nemesis: c.nemesis, name, store, seed: layered.seed ?? testSeed(seed, planned.length) };
      const where = `${name} (from ${c.origin})`;
      const r = TestSpecSchema.safeParse(input);
      if (!r.success) {
        const issue = r.error.issues[0];
        throw new UsageError(`campaign test ${where}: ${issue?.path.join('.') ?? 'spec'}: ${issue?.message ?? 'invalid'}`, 'fix the option in `defaults`, the option variant or the override that sets it');
      }
      const spec = completeSpec(r.data, name);
      try {
        // Can this system run this workload under these faults? Answered before anything starts.
        await planRun(spec, o.overrides);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        if (campaign.skipUnsupported && !c.explicit) {
          skip = true;
          continue;
        }
        throw new UsageError(`campaign test ${where}: ${err.message}`, c.explicit ? err.hint : `leave it out with an \`exclude\` entry, or set \`skipUnsupported: true\` (${err.hint ?? ''})`);
      }
      planned.push({ spec, origin: c.origin, repetition: rep, ...(c.label === undefined ? {} : { label: c.label }), ...(c.expect === undefined ? {} : { expect: c.expect }) });
    }
  }
  if (planned.length === 0) throw new UsageError('the campaign expands to no test', 'check `exclude` and `skipUnsupported`');
  return planned;
}

function nemesisKinds(n: NemesisEntry): string[] {
  return Array.isArray(n) ? [...n] : n === 'none' ? [] : [n];
}

function matches(m: Match, c: Pick<Candidate, 'system' | 'workload' | 'nemesis' | 'label'>): boolean {
  const any = (want: string | readonly string[] | undefined, test: (v: string) => boolean): boolean =>
    want === undefined || (typeof want === 'string' ? [want] : want).some(test);
  return (
    any(m.system, (s) => s === c.system) &&
    any(m.workload, (w) => w === c.workload) &&
    any(m.nemesis, (n) => (n === 'none' ? c.nemesis.length === 0 : c.nemesis.includes(n))) &&
    any(m.label, (l) => l === c.label)
  );
}

function uniqueName(taken: Set<string>, name: string): string {
  let n = name;
  for (let i = 2; taken.has(n); i++) n = `${name}-${i}`;
  taken.add(n);
  return n;
}

/** Test i's seed: the campaign seed mixed with i (a 31-bit multiplicative hash), so tests differ yet replay. */
export function testSeed(campaignSeed: number, index: number): number {
  return (Math.imul(campaignSeed ^ Math.imul(index + 1, 0x9e3779b1), 0x85ebca6b) >>> 1) & 0x7fffffff;
}
