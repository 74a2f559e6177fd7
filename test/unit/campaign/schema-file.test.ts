import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { campaignJsonSchema } from '../../../src/campaign/schema.js';
import { packageRoot } from '../../../src/version.js';

const schemaPath = join(packageRoot, 'schema', 'campaign.schema.json');
const expected = `${JSON.stringify(campaignJsonSchema(), null, 2)}\n`;

test('schema/campaign.schema.json matches the zod schema (FAULTLINE_UPDATE_SCHEMA=1 rewrites it)', async () => {
  if (process.env['FAULTLINE_UPDATE_SCHEMA'] === '1') await writeFile(schemaPath, expected);
  const onDisk = await readFile(schemaPath, 'utf8').catch(() => '');
  assert.equal(onDisk, expected, 'the checked-in JSON Schema is stale: run `FAULTLINE_UPDATE_SCHEMA=1 npx tsx --test test/unit/campaign/schema-file.test.ts`');
});

test('the JSON Schema knows the systems, the run options and rejects unknown top-level keys', () => {
  const s = campaignJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown };
  const text = JSON.stringify(s);
  for (const system of ['redis', 'zookeeper', 'etcd', 'consul']) assert.ok(text.includes(`"${system}"`), system);
  assert.ok('matrix' in s.properties && 'defaults' in s.properties && 'overrides' in s.properties);
  assert.ok(text.includes('"timeLimitMs"') && text.includes('"readMode"'), 'run options are derived from the TestSpec');
  assert.equal(s.additionalProperties, false);
});

test('the examples point editors at the schema', async () => {
  for (const f of ['quick.yaml', 'full.yaml']) {
    const text = await readFile(join(packageRoot, 'examples', f), 'utf8');
    assert.match(text, /\$schema=\.\.\/schema\/campaign\.schema\.json/);
    assert.equal(typeof (parse(text) as { name: unknown }).name, 'string');
  }
});
