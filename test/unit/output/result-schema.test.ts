import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ResultSchema, resultJsonSchema } from '../../../src/output/result-schema.js';
import { resultJson } from '../../../src/output/result-json.js';
import { summaryJson } from '../../../src/output/summary-json.js';
import { packageRoot } from '../../../src/version.js';
import { runCli } from '../../helpers/run-cli.js';

const schemaPath = join(packageRoot, 'schema', 'result.schema.json');
const shared = join(packageRoot, '..', 'shared', 'histories');

describe('one result shape for run, check and campaign', () => {
  it('schema/result.schema.json matches the zod schema (FAULTLINE_UPDATE_SCHEMA=1 rewrites it)', async () => {
    const expected = `${JSON.stringify(resultJsonSchema(), null, 2)}\n`;
    if (process.env['FAULTLINE_UPDATE_SCHEMA'] === '1') await writeFile(schemaPath, expected);
    assert.equal(await readFile(schemaPath, 'utf8').catch(() => ''), expected, 'stale: rerun this test with FAULTLINE_UPDATE_SCHEMA=1');
  });

  it('check --json of linearizability and transaction histories fits it, sentence first', async () => {
    const lin = JSON.parse((await runCli('check', join(shared, 'porcupine', 'jepsen', 'etcd_000.log'), '--model', 'cas-register', '--json')).out) as unknown;
    const parsed = ResultSchema.parse(lin);
    assert.equal(parsed.verdict, 'invalid');
    assert.match(parsed.explanation ?? '', /^linearizability: p\d+ read .* \(history index \d+\)/);
    const txn = JSON.parse((await runCli('check', join(shared, 'elle-cli', 'list-append-anomaly-dirty-update.json'), '--workload', 'list-append', '--json')).out) as unknown;
    assert.equal(ResultSchema.parse(txn).exitCode, 1);
  });

  it('rejects what is not a result: a missing verdict, an unknown command', () => {
    const good = resultJson('run', { verdict: 'valid', exitCode: 0, runDir: '/r', checkers: [{ checker: 'set', verdict: 'valid', details: {} }] });
    assert.equal(ResultSchema.safeParse(good).success, true);
    const { verdict: _, ...noVerdict } = good as Record<string, unknown>;
    assert.equal(ResultSchema.safeParse(noVerdict).success, false);
    assert.equal(ResultSchema.safeParse({ ...(good as object), command: 'serve' }).success, false);
    assert.equal(ResultSchema.safeParse(summaryJson([])).success, true);
  });

  it('check RUN_DIR --json fits it too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-result-'));
    await writeFile(join(dir, 'test.json'), JSON.stringify({ spec: { system: 'redis', workload: 'register', nemesis: [], seed: 1 } }));
    await writeFile(join(dir, 'results.json'), JSON.stringify({ verdict: 'valid', checkers: [] }));
    await writeFile(join(dir, 'history.jsonl'), '{"index":0,"time":1,"process":0,"type":"invoke","f":"read","key":0,"value":null}\n{"index":1,"time":2,"process":0,"type":"ok","f":"read","key":0,"value":7}\n');
    const r = ResultSchema.parse(JSON.parse((await runCli('check', dir, '--json')).out));
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.command, 'check');
  });
});
