import { z } from 'zod';

/**
 * The one shape `run --json`, `check --json` and `campaign --json` print (and campaign's
 * summary.json): format version, faultline version, command, verdict, exit code first;
 * then each command's own fields. Objects are open: adding a field keeps the format
 * version, changing or removing one bumps it. schema/result.schema.json is generated
 * from this.
 */
const Verdict = z.enum(['valid', 'invalid', 'unknown']);

const Checker = z.looseObject({
  checker: z.string(),
  verdict: Verdict,
  explanation: z.string().optional().describe('the finding in one sentence: values, processes, nodes, history indices, faults'),
  details: z.unknown().optional(),
});

const common = {
  format: z.literal(1).describe('bumped when a field changes meaning or disappears'),
  faultline: z.string().describe("faultline's version"),
  verdict: Verdict,
  exitCode: z.number().int().describe('0 valid, 1 invalid, 2 unknown, 3 usage or input, 4 infrastructure, 5 internal, 130 interrupted'),
  explanation: z.string().optional().describe('the first invalid (else unknown) checker, in one sentence'),
};

const RunResult = z.looseObject({
  ...common,
  command: z.literal('run'),
  runDir: z.string(),
  checkers: z.array(Checker),
  errors: z.array(z.string()).describe('what went wrong beside the verdict: healing, logs, teardown'),
});

const CheckResult = z.looseObject({
  ...common,
  command: z.literal('check'),
  file: z.string().optional().describe('the history file checked'),
  runDir: z.string().optional().describe('the run directory checked again'),
  checkers: z.array(Checker),
  errors: z.array(z.string()).describe('why the verdict is not the checkers\' alone'),
});

const CampaignResult = z.looseObject({
  ...common,
  command: z.literal('campaign'),
  counts: z.looseObject({ valid: z.number(), invalid: z.number(), unknown: z.number(), error: z.number(), notRun: z.number(), interrupted: z.number() }),
  tests: z.array(
    z.looseObject({
      name: z.string(),
      status: z.string(),
      verdict: Verdict,
      runDir: z.string().optional(),
    }),
  ),
});

export const ResultSchema = z.discriminatedUnion('command', [RunResult, CheckResult, CampaignResult]);

export function resultJsonSchema(): object {
  return {
    $id: 'https://faultline.dev/schema/result.schema.json',
    title: 'faultline result',
    ...z.toJSONSchema(ResultSchema, { io: 'output', unrepresentable: 'any' }),
  };
}
