import { z } from 'zod';
import { NEMESIS_KINDS, SystemRefSchema, TestSpecSchema, WORKLOAD_NAMES } from '../spec/test-spec.js';
import { choiceSchema } from '../spec/choices.js';

/**
 * The campaign file: a matrix of systems × workloads × nemeses × option variants ×
 * repetitions, plus explicit tests, defaults and overrides. Every per-test option is
 * derived from the runner's TestSpecSchema (same names, same units: milliseconds), so a
 * new run option is a campaign option too, and test.json reads like the campaign file.
 */
const spec = TestSpecSchema.shape;

/** Fields a campaign sets itself for each test, so they are not options. */
const OWN_FIELDS = ['name', 'system', 'workload', 'nemesis', 'store'] as const;
type OwnField = (typeof OWN_FIELDS)[number];
type OptionKey = Exclude<keyof typeof spec, OwnField>;

/** A spec field without its default: a campaign's absent option means "not set here". */
function optional<T extends z.ZodType>(field: T): z.ZodOptional<z.ZodType> {
  const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
  return (inner instanceof z.ZodOptional ? inner : inner.optional()) as z.ZodOptional<z.ZodType>;
}

const optionShape = Object.fromEntries(
  Object.entries(spec)
    .filter(([k]) => !(OWN_FIELDS as readonly string[]).includes(k))
    .map(([k, v]) => [k, optional(v as z.ZodType)]),
) as Record<OptionKey, z.ZodOptional<z.ZodType>>;

/** Any run option (nodes, concurrency, timeLimitMs, readMode, routing, seed, …), all optional. */
export const TestOptionsSchema = z.object(optionShape).strict();

const WORKLOADS = WORKLOAD_NAMES;

/** An enum whose error names the bad value and lists the choices. */
const choice = choiceSchema;

const system = SystemRefSchema;
const workload = choice('workload', WORKLOADS);
const nemesisKind = choice('nemesis', NEMESIS_KINDS);
/** `none`, one kind, or several kinds together: `[partition, kill]`. */
const noneOrKind = choice('nemesis', ['none', ...NEMESIS_KINDS]);
const nemesisEntry = z.union([noneOrKind, z.array(nemesisKind)]);
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a label uses letters, digits, ".", "_" and "-", starting with a letter or digit');
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

/** Selects tests for `exclude` and `overrides`; every given field must match. */
const MatchSchema = z
  .object({
    system: oneOrMany(system).optional(),
    workload: oneOrMany(workload).optional(),
    /** Matches tests whose faults include this kind (`none`: tests with no fault). */
    nemesis: oneOrMany(noneOrKind).optional(),
    label: oneOrMany(label).optional(),
  })
  .strict();

export const CampaignSchema = z
  .object({
    /** Editors' JSON Schema association; ignored. */
    $schema: z.string().optional(),
    name: label.describe('the campaign name: its directory under <store>/campaigns/'),
    description: z.string().optional(),
    /** Seeds each test (test i gets a seed derived from it); random when absent. A test's own `seed` option wins. */
    seed: spec.seed.optional(),
    /** Where runs go; `--store` wins. Default `store`. */
    store: z.string().min(1).optional(),
    /** How many times each test runs. */
    repetitions: z.number().int().min(1).max(100).default(1),
    /** Drop matrix combinations the system cannot run (a workload it lacks) instead of rejecting the file. */
    skipUnsupported: z.boolean().default(false),
    /** Options for every test. */
    defaults: TestOptionsSchema.optional(),
    matrix: z
      .object({
        systems: z.array(system).min(1),
        workloads: z.array(workload).min(1),
        nemeses: z.array(nemesisEntry).min(1).default(['none']),
        /** Option variants: each test of the matrix runs once per variant; `label` names it in the test name. */
        options: z.array(TestOptionsSchema.extend({ label: label.optional() })).min(1).optional(),
      })
      .strict()
      .optional(),
    /** Tests outside the matrix, each fully named. */
    tests: z
      .array(
        TestOptionsSchema.extend({
          system,
          workload,
          nemesis: nemesisEntry.default('none'),
          label: label.optional(),
          /**
           * `invalid` makes a known-unsafe combination a canary: green when faultline finds
           * the anomaly, red when it does not (it can no longer see what it claims to see).
           */
          expect: z.enum(['valid', 'invalid']).optional(),
          /** Where the expectation comes from (documentation, an analysis), in one line. */
          source: z.string().optional(),
        }),
      )
      .optional(),
    /** Matrix combinations to leave out. */
    exclude: z.array(MatchSchema).optional(),
    /** Options for the tests a match selects, applied in order after defaults and option variants. */
    overrides: z.array(z.object({ match: MatchSchema, set: TestOptionsSchema }).strict()).optional(),
  })
  .strict()
  .refine((c) => c.matrix !== undefined || (c.tests?.length ?? 0) > 0, { message: 'a campaign needs a `matrix` or a non-empty `tests` list', path: ['matrix'] });

export type Campaign = z.output<typeof CampaignSchema>;
export type CampaignInput = z.input<typeof CampaignSchema>;
export type TestOptions = z.output<typeof TestOptionsSchema>;
export type Match = z.output<typeof MatchSchema>;
export type NemesisEntry = z.output<typeof nemesisEntry>;

/** The JSON Schema editors validate campaign files with (checked in as schema/campaign.schema.json). */
export function campaignJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(CampaignSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://faultline.dev/schema/campaign.schema.json',
    title: 'faultline campaign',
  };
}
