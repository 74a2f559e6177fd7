import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeXml, renderJunit, writeJunit } from '../../../src/output/index.js';
import { HOSTILE, outcomes } from './fixtures.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
const parse = (xml: string): Node => parser.parse(xml) as Node;

test('the JUnit XML is well-formed even with a hostile value from a database', () => {
  const xml = renderJunit(outcomes);
  assert.equal(XMLValidator.validate(xml), true);
  assert.ok(!xml.includes('<img'), 'markup from the database is escaped');
  assert.ok(!xml.includes('\u0001'), 'a control character XML forbids is replaced');
  const suite = (parse(xml)['testsuites'] as Node)['testsuite'] as Node[];
  const failure = ((suite[0]!['testcase'] as Node[])[0]!['failure'] as Node);
  // The message survives the round trip (except the forbidden control character).
  assert.ok(String(failure['message']).includes(JSON.stringify(HOSTILE.replace('\u0001', '\uFFFD')).slice(1, 40)), 'the value reads back as text');
  assert.match(String(failure['message']), /^invalid: key "k3": not linearizable: process 4 read null → .* prefix of 12 op\(s\); model state\(s\) met: \[1\]/);
});

test('one testcase per checker per run; unknown, no verdict and not run are never passes', () => {
  const root = parse(renderJunit(outcomes, 'ci'))['testsuites'] as Node;
  assert.deepEqual([root['name'], root['tests'], root['failures'], root['errors'], root['skipped']], ['ci', '6', '1', '2', '1']);
  const suites = root['testsuite'] as Node[];
  assert.deepEqual(suites.map((s) => (s['testcase'] as Node[]).map((c) => c['name'])), [['linearizable'], ['mutual-exclusion', 'lost-updates'], ['run'], ['run'], ['mutual-exclusion']]);
  const [lin, zk, redis, consul, ok] = suites.map((s) => s['testcase'] as Node[]);
  assert.equal(lin![0]!['failure'] !== undefined, true);
  assert.equal(zk![0]!['failure'] ?? zk![0]!['error'], undefined, 'a valid checker is a plain pass');
  assert.match(String((zk![1]!['error'] as Node)['message']), /^unknown: no final read of the counter completed$/);
  assert.match(String((redis![0]!['error'] as Node)['message']), /cluster never became healthy/);
  assert.notEqual(consul![0]!['skipped'], undefined);
  assert.deepEqual(Object.keys(ok![0]!).sort(), ['classname', 'name']);
  assert.equal(suites[0]!['time'], '31.400');
  const props = ((suites[0]!['properties'] as Node)['property'] as Node[]).map((p) => [p['name'], p['value']]);
  assert.deepEqual(Object.fromEntries(props)['seed'], '42');
});

test('escapeXml escapes markup, quotes, whitespace in attributes and forbidden characters', () => {
  assert.equal(escapeXml(`<a href="x">&'\n\t\r\u0000\uFFFF😀`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#10;&#9;&#13;\uFFFD\uFFFD😀');
  assert.equal(escapeXml('\uD800 lone'), '\uFFFD lone');
});

test('writeJunit creates the directory and writes the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-junit-'));
  try {
    const file = join(dir, 'reports', 'junit.xml');
    await writeJunit(outcomes.slice(0, 1), file);
    assert.equal(XMLValidator.validate(await readFile(file, 'utf8')), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
