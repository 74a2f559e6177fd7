/**
 * The HTML report at 100,000 operations: how long rendering takes, how big the file is,
 * and — when Debian's chromium is installed — how long the page takes to open and to
 * redraw on zoom and hover in a real browser. The baseline, measured in the same run, is
 * `JSON.stringify` of the history's events: the least any report embedding them must do.
 *
 *   npx tsx bench/report.ts [ops]        (default 100000)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReportInput } from '../src/report/derive.js';
import { renderReport } from '../src/report/render.js';
import { simulateStaleReads } from '../test/unit/report/invalid-run.js';

const CHROMIUM = process.env['FAULTLINE_CHROMIUM'] ?? '/usr/bin/chromium';
const ops = Number(process.argv[2] ?? 100_000);
const PROCESSES = 5;

function timed<T>(work: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = work();
  return { value, ms: performance.now() - t };
}

const events = simulateStaleReads(Math.ceil(ops / PROCESSES));
// A checker result is not needed for the cost of drawing: the run is reported as unchecked.
const input = buildReportInput({ dirName: 'bench', events, results: { verdict: 'valid', checkers: [] } });
renderReport(buildReportInput({ dirName: 'warm-up', events: simulateStaleReads(200) }));
const baseline = timed(() => JSON.stringify(events));
const render = timed(() => renderReport(input));
const bytes = Buffer.byteLength(render.value);
console.log(`history: ${events.length} events, ${Math.round(events.length / 2)} operations`);
console.log(`baseline JSON.stringify(events): ${baseline.ms.toFixed(0)} ms, ${(baseline.value.length / 2 ** 20).toFixed(1)} MiB`);
console.log(`renderReport: ${render.ms.toFixed(0)} ms (${(render.ms / baseline.ms).toFixed(2)}× baseline), ${(bytes / 2 ** 20).toFixed(1)} MiB (${(bytes / baseline.value.length).toFixed(2)}× the events' JSON)`);

if (!existsSync(CHROMIUM)) {
  console.log(`(no browser at ${CHROMIUM}: skipping the in-browser figures)`);
} else {
  const { chromium } = await import('playwright-core');
  const work = await mkdtemp(join(tmpdir(), 'faultline-bench-report-'));
  const file = join(work, 'report.html');
  await writeFile(file, render.value);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('#timeline');
    console.log(`browser: open and draw everything: ${(performance.now() - t).toFixed(0)} ms`);
    // Timed inside the page (synthetic events, synchronous redraws), free of the driver's round trips.
    const perEvent = (kind: 'wheel' | 'mousemove', count: number): Promise<number> =>
      page.evaluate(`(() => {
        const c = document.getElementById('timeline'), r = c.getBoundingClientRect();
        const t = performance.now();
        for (let i = 0; i < ${count}; i++) {
          const at = { clientX: r.left + 60 + (r.width - 80) * i / ${count}, clientY: r.top + r.height / 2, deltaY: -100, bubbles: true, cancelable: true };
          c.dispatchEvent('${kind}' === 'wheel' ? new WheelEvent('wheel', at) : new MouseEvent('mousemove', at));
        }
        return (performance.now() - t) / ${count};
      })()`);
    const fullHover = await perEvent('mousemove', 200);
    console.log(`browser: one zoom step (timeline + latency + throughput redrawn): ${(await perEvent('wheel', 10)).toFixed(1)} ms`);
    console.log(`browser: one hover (hit test + hover layer + tooltip): ${fullHover.toFixed(2)} ms`);
    await page.evaluate('document.querySelector("button").click()');
    console.log(`browser: redraw everything, whole run in view: ${(await page.evaluate(`(() => { const t = performance.now(); for (let i = 0; i < 5; i++) window.dispatchEvent(new Event('resize')); return (performance.now() - t) / 5; })()`) as number).toFixed(1)} ms`);
  } finally {
    await browser.close();
    await rm(work, { recursive: true, force: true });
  }
}
