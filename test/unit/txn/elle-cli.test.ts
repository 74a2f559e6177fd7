/**
 * Elle's own list-append test histories (read from ../shared, never copied): each must get
 * the verdict of EXPECTED.tsv under strict-serializable and name the same core anomalies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/version.js';
import { readHistoryFile } from '../../../src/history/read.js';
import { pairHistory } from '../../../src/history/operation.js';
import { CONSISTENCY_MODELS, type ConsistencyModel, checkTransactions } from '../../../src/checker/txn/index.js';

const dir = join(packageRoot, '..', 'shared', 'histories', 'elle-cli');
const expectedFile = join(dir, 'EXPECTED.tsv');

interface Row {
  file: string;
  verdicts: string[];
  /** Elle's anomaly names that are ours too (helper labels such as empty-transaction-graph dropped). */
  core: string[];
  /** Elle's ruled-out models that faultline also knows. */
  notModels: ConsistencyModel[];
}

const HELPER_LABEL = /^(empty-transaction-graph|.*-cycle-exists)$/;

function rows(): Row[] {
  const lines = readFileSync(expectedFile, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file, valid, anomalies, ruledOut] = line.split('\t') as [string, string, string, string];
    const verdicts = valid.split(' or ').map((v) => (v === 'true' ? 'valid' : v === 'false' ? 'invalid' : v));
    const core = anomalies
      .replace(/\(.*\)/, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '-' && s !== '' && !HELPER_LABEL.test(s));
    const notModels = ruledOut
      .split(',')
      .filter((m): m is ConsistencyModel => (CONSISTENCY_MODELS as readonly string[]).includes(m));
    return { file, verdicts, core, notModels };
  });
}

async function check(file: string, consistency: ConsistencyModel) {
  const { ops } = pairHistory(await readHistoryFile(join(dir, file)), file);
  return checkTransactions(ops, { workload: 'list-append', consistency });
}

describe('elle-cli list-append histories', { skip: !existsSync(expectedFile) && `no ${expectedFile}` }, () => {
  const all = existsSync(expectedFile) ? rows() : [];

  it('covers every file listed', () => assert.ok(all.length >= 25, `only ${all.length} rows`));

  for (const row of all) {
    it(`${row.file}: ${row.verdicts.join(' or ')} under strict-serializable${row.core.length ? `, ${row.core.join(' + ')}` : ''}`, async () => {
      const r = await check(row.file, 'strict-serializable');
      assert.ok(row.verdicts.includes(r.verdict), `verdict ${r.verdict}, anomalies ${r.anomalyTypes.join(', ')}`);
      for (const name of row.core) assert.ok(r.anomalyTypes.includes(name), `${name} not among ${r.anomalyTypes.join(', ')}`);
      for (const m of row.notModels) assert.ok(r.notModels.includes(m), `${m} not ruled out: ${r.notModels.join(', ')}`);
      if (r.verdict === 'invalid') assert.ok(r.anomalies.length > 0 && r.anomalies.every((a) => a.explanation.length > 0));
    });
  }

  it('the intermediate-read history is serializable, but not strict-serializable', async () => {
    const file = 'list-append-anomaly-g1b-intermediate-read.json';
    assert.equal((await check(file, 'serializable')).verdict, 'valid');
    assert.equal((await check(file, 'strict-serializable')).verdict, 'invalid');
  });

  it('the snapshot-isolation example is invalid under snapshot isolation too', async () => {
    const r = await check('list-append-model-snapshot-isolation.json', 'snapshot-isolation');
    assert.equal(r.verdict, 'invalid');
    assert.ok(r.anomalyTypes.includes('G-single-item'));
  });
});
