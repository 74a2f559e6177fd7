import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandCampaign } from '../../../src/campaign/expand.js';
import { parseCampaign } from '../../../src/campaign/load.js';
import { type Execute, runCampaign } from '../../../src/campaign/run.js';
import type { Verdict } from '../../../src/checker/verdict.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { InfrastructureError } from '../../../src/errors.js';
import { exitCodeFor } from '../../../src/output/index.js';

const tests = await expandCampaign(
  parseCampaign('name: c\nmatrix: {systems: [etcd, zookeeper, consul], workloads: [register]}\n', 'c.yaml'),
  { seed: 3 },
);

/** Stands in for executeTest (no Docker): each test's fate by index. */
function scripted(fates: readonly (Verdict | Error | 'hang')[]): { execute: Execute; started: string[] } {
  const started: string[] = [];
  const execute: Execute = async ({ spec, signal }) => {
    const fate = fates[started.length];
    started.push(spec.name);
    if (fate instanceof Error) throw fate;
    if (fate === 'hang') await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
    const verdict: Verdict = fate === 'hang' || fate === undefined ? 'valid' : fate;
    return { verdict, verdictReasons: [], runDir: `/store/${spec.name}/1`, clusterId: 'c1', checkers: [{ checker: 'linearizable', verdict, details: {} }], results: {}, errors: [], interrupted: fate === 'hang' };
  };
  return { execute, started };
}

const cases: [string, (Verdict | Error)[], number][] = [
  ['all valid → 0', ['valid', 'valid', 'valid'], ExitCode.Valid],
  ['one unknown → 2', ['valid', 'unknown', 'valid'], ExitCode.Unknown],
  ['invalid beats unknown → 1', ['unknown', 'invalid', 'valid'], ExitCode.Invalid],
  ['an infrastructure failure is recorded, the rest run, never green → 2', ['valid', new InfrastructureError('cluster never healthy'), 'valid'], ExitCode.Unknown],
  ['an infrastructure failure does not hide an anomaly → 1', [new InfrastructureError('no Docker'), 'invalid', 'valid'], ExitCode.Invalid],
  ['nothing got a verdict → the error\'s own code', [new InfrastructureError('no Docker'), new InfrastructureError('no Docker'), new InfrastructureError('no Docker')], ExitCode.Infrastructure],
  ['a bug in one test is internal to it, the campaign goes on → 2', [new Error('boom'), 'valid', 'valid'], ExitCode.Unknown],
];

for (const [title, fates, code] of cases) {
  test(`worst verdict as exit code: ${title}`, async () => {
    const { execute, started } = scripted(fates);
    const outcomes = await runCampaign({ tests, execute });
    assert.equal(started.length, 3, 'every test ran');
    assert.equal(exitCodeFor(outcomes), code);
    fates.forEach((f, i) => {
      const o = outcomes[i]!;
      if (f instanceof Error) {
        assert.equal(o.status, 'error');
        assert.equal(o.verdict, 'unknown');
        assert.ok(o.error!.includes(f.message));
      } else assert.deepEqual([o.status, o.verdict], ['checked', f]);
    });
  });
}

test('an abort stops the current test, records it as interrupted and the rest as not run → 130', async () => {
  const { execute, started } = scripted(['valid', 'hang', 'valid']);
  const controller = new AbortController();
  const ended: string[] = [];
  const outcomes = await runCampaign({
    tests,
    execute,
    signal: controller.signal,
    onTestStart: (i) => i === 1 && setTimeout(() => controller.abort(), 5),
    onTestEnd: (_i, t) => void ended.push(t.spec.name),
  });
  assert.equal(started.length, 2, 'the third test never started');
  assert.deepEqual(outcomes.map((o) => o.status), ['checked', 'interrupted', 'not-run']);
  assert.equal(outcomes[1]!.verdict, 'unknown', 'an interrupted valid run is not valid');
  assert.deepEqual(ended, tests.slice(0, 2).map((t) => t.spec.name));
  assert.equal(exitCodeFor(outcomes), ExitCode.Interrupted);
});
