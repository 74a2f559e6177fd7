import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expandCampaign } from '../../../src/campaign/expand.js';
import { parseCampaign } from '../../../src/campaign/load.js';
import { renderCampaignIndex } from '../../../src/campaign/index-page.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { type TestOutcome, exitCodeFor, githubAnnotations, overallVerdict, renderJunit } from '../../../src/output/index.js';
import { packageRoot } from '../../../src/version.js';

const canary = (verdict: TestOutcome['verdict'], status: TestOutcome['status'] = 'checked'): TestOutcome => ({
  name: 'redis-register-kill',
  status,
  verdict,
  durationMs: 20_000,
  checkers: [{ checker: 'linearizable', verdict, details: {} }],
  warnings: [],
  expect: { verdict: 'invalid', source: 'Redis docs: asynchronous replication' },
});

const plainValid: TestOutcome = { name: 'etcd-register-none', status: 'checked', verdict: 'valid', durationMs: 1, checkers: [{ checker: 'linearizable', verdict: 'valid', details: {} }], warnings: [] };

describe('canaries: `expect: invalid`', () => {
  it('a canary that finds its anomaly is green; one that does not is red; unknown stays unknown', () => {
    assert.equal(exitCodeFor([canary('invalid'), plainValid]), ExitCode.Valid);
    assert.equal(exitCodeFor([canary('valid'), plainValid]), ExitCode.Invalid);
    assert.equal(overallVerdict([canary('unknown')]), 'unknown');
    // Interrupted runs are never green, canary or not.
    assert.equal(exitCodeFor([canary('invalid', 'interrupted')]), ExitCode.Interrupted);
  });

  it('JUnit, annotations and the index say which, with the source', () => {
    const found = renderJunit([canary('invalid')]);
    assert.match(found, /failures="0" errors="0"/);
    const silent = renderJunit([canary('valid')]);
    assert.match(silent, /<failure message="expected invalid \(Redis docs: asynchronous replication\), but faultline did not find the known anomaly" type="canary-silent">/);
    assert.match(githubAnnotations([canary('invalid')]).join('\n'), /^::notice title=faultline redis-register-kill%3A canary::found the known anomaly, as expected/);
    assert.match(githubAnnotations([canary('valid')]).join('\n'), /^::error /);
    const index = renderCampaignIndex('c', '/store/campaigns/c', [canary('invalid'), canary('valid')]);
    assert.match(index, /<tr class="valid">[\s\S]*INVALID \(expected\)/);
    assert.match(index, /<tr class="invalid">[\s\S]*valid \(expected invalid!\)/);
  });

  it('campaign tests carry `expect` and `source`; the canaries file expands and names a source for each', async () => {
    const tests = await expandCampaign(parseCampaign('name: c\ntests:\n  - {system: redis, workload: register, nemesis: kill, expect: invalid, source: "why"}\n', 'c.yaml'), { seed: 1 });
    assert.deepEqual(tests[0]!.expect, { verdict: 'invalid', source: 'why' });
    const file = join(packageRoot, 'examples', 'canaries.yaml');
    const canaries = await expandCampaign(parseCampaign(await readFile(file, 'utf8'), file), { seed: 1 });
    assert.ok(canaries.length >= 5);
    for (const t of canaries) {
      assert.equal(t.expect?.verdict, 'invalid', t.spec.name);
      assert.ok((t.expect?.source ?? '').length > 10, `${t.spec.name} says where the expectation comes from`);
    }
  });
});
