import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildReportInput } from '../../../src/report/derive.js';
import type { ReportInput } from '../../../src/report/input.js';
import { loadRun } from '../../../src/report/load.js';
import { type ReportData, renderReport } from '../../../src/report/render.js';
import { HOSTILE, writeInvalidRun } from './invalid-run.js';
import { txnResults, writeCycleHistory } from './txn-run.js';

let work: string;
let input: ReportInput;
let html: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faultline-render-'));
  input = await loadRun((await writeInvalidRun(join(work, 'run'))).dir);
  html = renderReport(input);
});
after(() => rm(work, { recursive: true, force: true }));

/** The embedded data block, and the page with it cut out. */
function split(page: string): { data: ReportData; rest: string } {
  const open = '<script type="application/json" id="faultline-data">';
  const start = page.indexOf(open);
  const end = page.indexOf('</script>', start);
  assert.ok(start > 0 && end > start);
  return { data: JSON.parse(page.slice(start + open.length, end)) as ReportData, rest: page.slice(0, start) + page.slice(end) };
}

test('the hostile value appears nowhere as markup: only inside the escaped JSON block', () => {
  // The history has it as a key, a written value and an error; test.json as the name and a version.
  assert.ok(input.events.some((e) => e.key === HOSTILE));
  assert.ok(input.events.some((e) => e.value === HOSTILE));
  assert.ok(input.events.some((e) => e.error?.includes(HOSTILE) === true));
  assert.equal(input.name, HOSTILE);
  assert.equal(html.includes('<img'), false);
  assert.equal(html.includes('onerror='), true, 'it is there, escaped inside the data');
  assert.equal(html.match(/<script/g)?.length, 2, 'the data block and the page script, nothing else');
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  const { data, rest } = split(html);
  assert.equal(rest.includes('onerror'), false);
  assert.equal(data.name, HOSTILE);
  const row = data.ops.find((r) => r[6] === HOSTILE && r[9] !== null && r[9].includes(HOSTILE));
  assert.ok(row !== undefined, 'a failed operation on the hostile key, with the hostile error, travels as data');
  assert.ok(data.ops.some((r) => r[7] === HOSTILE));
});

test('the page script never writes data as markup', async () => {
  const { CLIENT_SCRIPT } = await import('../../../src/report/client-script.js');
  assert.doesNotMatch(CLIENT_SCRIPT, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  assert.equal(CLIENT_SCRIPT.includes('</script'), false);
  assert.equal(CLIENT_SCRIPT.includes('${'), false, 'no accidental template interpolation');
});

test('the report is self-contained: no URL to fetch', () => {
  const { rest } = split(html);
  assert.doesNotMatch(rest, /\b(src|href)\s*=|https?:\/\/|@import|url\(/);
  assert.match(rest, /Content-Security-Policy" content="default-src 'none'/);
});

test('the data carries the verdict, counts, fault bands and the counterexample', () => {
  const { data } = split(html);
  assert.equal(data.verdict, 'invalid');
  assert.equal(data.ops.length, 200);
  assert.equal(data.counts.total.ok + data.counts.total.fail + data.counts.total.info, 200);
  assert.deepEqual(data.faults.map((f) => [f.fault, f.targets, f.open]), [['partition', 'isolate-one: n3 | n1 n2', false]]);
  const lin = data.checkers[0]!;
  assert.equal(lin.kind, 'linearizability');
  if (lin.kind !== 'linearizability') return;
  const failure = lin.failures.find((f) => f.verdict === 'invalid')!;
  assert.equal(failure.explanation?.blocked.f, 'read');
  assert.ok(failure.explanation.prefixLength > 0);
  // Every operation of the counterexample can be found on the timeline by its invocation event.
  const invokes = new Set(data.ops.map((r) => r[10]));
  for (const l of failure.explanation.prefix) assert.ok(invokes.has(l.op.invokeIndex));
});

test('a transactional anomaly is carried with its cycle, each edge with its kind and why', () => {
  const events = writeCycleHistory();
  const page = renderReport(buildReportInput({ dirName: 'txn', events, results: txnResults(events) }));
  const { data } = split(page);
  assert.equal(data.verdict, 'invalid');
  const c = data.checkers[0]!;
  assert.equal(c.kind, 'txn');
  if (c.kind !== 'txn') return;
  assert.deepEqual(c.anomalyCounts, { G0: 1 });
  const steps = c.anomalies[0]!.steps!;
  assert.deepEqual(steps.map((s) => s.kind), ['ww', 'ww']);
  assert.ok(steps.every((s) => s.why.length > 0));
  assert.match(c.sentence, /1 × G0/);
  assert.equal(page.includes('<img'), false);
});
