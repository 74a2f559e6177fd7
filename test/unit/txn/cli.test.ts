import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode } from '../../../src/exit-codes.js';
import { packageRoot } from '../../../src/version.js';
import { runCli } from '../../helpers/run-cli.js';

const elle = join(packageRoot, '..', 'shared', 'histories', 'elle-cli');
const intermediateRead = join(elle, 'list-append-anomaly-g1b-intermediate-read.json');

describe('faultline check --workload', () => {
  it('exits 1 and names the anomaly with its cycle under strict-serializable (the default)', async () => {
    const r = await runCli('check', intermediateRead, '--workload', 'list-append');
    assert.equal(r.code, ExitCode.Invalid);
    assert.match(r.out, /strict-serializable: INVALID/);
    assert.match(r.out, /G-single-item-realtime/);
    assert.match(r.out, /rw→/);
  });

  it('exits 0 on the same history under plain serializable (real-time order is what it breaks)', async () => {
    const r = await runCli('check', intermediateRead, '--workload', 'list-append', '--consistency', 'serializable');
    assert.equal(r.code, ExitCode.Valid);
    assert.match(r.out, /serializable: VALID/);
  });

  it('--json prints the whole result', async () => {
    const r = await runCli('check', join(elle, 'list-append-anomaly-g0-cycle.json'), '--workload', 'list-append', '--json');
    assert.equal(r.code, ExitCode.Invalid);
    const result = JSON.parse(r.out) as { verdict: string; anomalyTypes: string[] };
    assert.equal(result.verdict, 'invalid');
    assert.ok(result.anomalyTypes.includes('G0'), `anomalies: ${result.anomalyTypes.join(', ')}`);
  });

  it('exits 3 with a hint for an unknown workload, an unknown model, or both checkers at once', async () => {
    const workload = await runCli('check', intermediateRead, '--workload', 'list-apend');
    assert.equal(workload.code, ExitCode.Usage);
    assert.match(workload.err, /unknown workload "list-apend"\n {2}hint: transactional workloads: list-append, rw-register/);
    const model = await runCli('check', intermediateRead, '--workload', 'list-append', '--consistency', 'serialisable');
    assert.equal(model.code, ExitCode.Usage);
    assert.match(model.err, /unknown consistency model "serialisable"/);
    const both = await runCli('check', intermediateRead, '--workload', 'list-append', '--model', 'register');
    assert.equal(both.code, ExitCode.Usage);
    assert.match(both.err, /one checker/);
  });
});
