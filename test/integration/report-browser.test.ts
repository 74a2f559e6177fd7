import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { loadRun, renderReport } from '../../src/report/index.js';
import { packageRoot } from '../../src/version.js';
import { buildReportInput } from '../../src/report/derive.js';
import { HOSTILE, writeInvalidRun } from '../unit/report/invalid-run.js';
import { txnResults, writeCycleHistory } from '../unit/report/txn-run.js';

/**
 * The report of an invalid run, opened in a real browser (Debian's chromium, driven by
 * playwright-core): the verdict reads "INVALID", the counterexample is drawn, hovering an
 * operation on the timeline shows it, and the hostile value shows as text and never runs.
 */
const CHROMIUM = process.env['FAULTLINE_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(packageRoot, 'test-artifacts');

/** The little of the DOM these tests touch inside the page (the project compiles without the DOM library). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
  toDataURL(): string;
}
type PageGlobals = { __pwned?: number; scrollTo(x: number, y: number): void };

let browser: Browser | undefined;
let page: Page;
let work: string;
const dialogs: string[] = [];
const requests: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install -y chromium (or set FAULTLINE_CHROMIUM)`);
  work = await mkdtemp(join(tmpdir(), 'faultline-report-'));
  const { dir } = await writeInvalidRun(join(work, 'run'));
  const file = join(dir, 'report.html');
  await writeFile(file, renderReport(await loadRun(dir)));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('#timeline');
});

after(async () => {
  await browser?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

test('the verdict says INVALID in words, and names the key', async () => {
  const verdict = await page.locator('#verdict').innerText();
  assert.match(verdict, /INVALID — an anomaly was found/);
  // Every key is checked (results say how many went wrong); the stale reads are on key 0.
  assert.match(verdict, /Not linearizable: .*\(key 0\b/);
});

test('the first sentence names the value, node, history index and the partition; the faults table its shape', async () => {
  const sentence = await page.locator('#counterexample p.sentence').first().innerText();
  assert.match(sentence, /^p\d+ read \d+ from n3 \(key 0\) at [\d.]+ s \(history index \d+\) while partition isolate-one \(n3 \| n1 n2\) was in effect/);
  assert.match(sentence, /the last write to key 0 that had completed before it began was/);
  assert.match(await page.locator('body').innerText(), /isolate-one: n3 \| n1 n2/);
  // The smallest failing history comes first, each row with its history index.
  const shrunk = await page.locator('#counterexample .shrunk').first().innerText();
  assert.match(shrunk, /smallest failing history — \d+ of \d+ operations \(removing any one of them ends the failure\)/);
});

test('the counterexample is drawn: the op that could not be placed, the prefix and the model state', async () => {
  const section = page.locator('#counterexample');
  assert.match(await section.innerText(), /Could not place: process \d+ read → \d/);
  assert.match(await section.innerText(), /The longest linearizable prefix has \d+ operations?\. After it the model state was \d/);
  const canvas = section.locator('canvas.counterexample').first();
  const box = await canvas.boundingBox();
  assert.ok(box !== null && box.height > 40, 'the counterexample canvas has a size');
  // Drawn means pixels: a blank canvas would be one colour.
  const colours = await canvas.evaluate((c: Canvas) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  });
  assert.ok(colours > 10, `the counterexample canvas has ${colours} colours`);
});

test('hovering an operation on the timeline shows its details', async () => {
  const canvas = page.locator('#timeline');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box !== null);
  const top = Number(await canvas.getAttribute('data-top'));
  const lane = Number(await canvas.getAttribute('data-lane-height'));
  // Walk along the first process's row until the tooltip names an operation.
  let text = '';
  for (let x = box.x + 60; x < box.x + box.width && text === ''; x += 4) {
    await page.mouse.move(x, box.y + top + lane / 2);
    if (await page.locator('#tooltip').isVisible()) text = await page.locator('#tooltip').innerText();
  }
  assert.match(text, /^op #\d+ — (read|write|cas)/);
  assert.match(text, /process 0 on n\d/);
  assert.match(text, /invoked at .* completed at .*latency/);
  await page.mouse.move(box.x + 5, box.y + box.height + 200);
  assert.equal(await page.locator('#tooltip').isVisible(), false);
});

test('the hostile value shows as text and never runs', async () => {
  assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('#app img').count(), 0, 'no <img> made from data');
  assert.equal(await page.locator('h1').innerText(), HOSTILE);
  assert.ok((await page.title()).startsWith(HOSTILE));
  // As a value and an error: in the raw results, and in the tooltip of a failed write.
  assert.ok((await page.locator('body').innerText()).includes(`sim ${HOSTILE}`));
  assert.deepEqual(requests, [], 'the report fetched nothing');
  assert.deepEqual(pageErrors, []);
});

test('screenshots for people: the whole report, and the timeline zoomed to the failure', async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, 'report-invalid.png'), fullPage: true });
  const pixels = (): Promise<string> => page.locator('#timeline').evaluate((c: Canvas) => c.toDataURL());
  const before = await pixels();
  await page.getByRole('button', { name: 'Show on the timeline' }).first().click();
  await page.waitForTimeout(600);
  await page.locator('#timeline').screenshot({ path: join(ARTIFACTS, 'report-invalid-zoomed.png') });
  assert.notEqual(await pixels(), before, 'the timeline was redrawn zoomed in');
  assert.ok(existsSync(join(ARTIFACTS, 'report-invalid.png')) && existsSync(join(ARTIFACTS, 'report-invalid-zoomed.png')));
});

test('a transactional anomaly: the cycle is drawn, each edge listed with its kind and why', async () => {
  const events = writeCycleHistory();
  const file = join(work, 'txn-report.html');
  await writeFile(file, renderReport(buildReportInput({ dirName: 'txn-run', events, results: txnResults(events) })));
  const txnPage = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  txnPage.on('pageerror', (err) => errors.push(err.message));
  txnPage.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await txnPage.goto(`file://${file}`);
  await txnPage.waitForSelector('#counterexample canvas.cycle');
  assert.match(await txnPage.locator('#verdict').innerText(), /INVALID[\s\S]*1 × G0/);
  const edges = await txnPage.locator('#counterexample .edge-list li').allInnerTexts();
  assert.equal(edges.length, 2);
  assert.match(edges[0]!, /^T0 → T1 ww key "x": T0 appended 1 to key x before T1 appended 2/);
  assert.ok(edges[1]!.includes(HOSTILE), 'the hostile key shows as text in the edge');
  await txnPage.locator('#counterexample').screenshot({ path: join(ARTIFACTS, 'report-txn-cycle.png') });
  assert.equal(await txnPage.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
  assert.deepEqual(errors, []);
  assert.deepEqual(dialogs, []);
  await txnPage.close();
});
