import { relative, sep } from 'node:path';
import { escapeHtml } from '../report/escape.js';
import { INDEX_STYLE } from '../report/index-page.js';
import { type TestOutcome, exitCodeFor, expectationText, gatingVerdict, overallVerdict } from '../output/index.js';

const STATUS_TEXT: Record<TestOutcome['status'], string> = { checked: '', interrupted: ' (interrupted)', error: ' (no verdict)', 'not-run': ' (not run)' };

/** `valid`, `INVALID`, `unknown (no verdict)`, …: what a person reads in a summary. */
export function outcomeText(o: TestOutcome): string {
  if (o.status === 'not-run') return 'not run';
  const expected = o.expect?.verdict === 'invalid' ? (o.verdict === 'invalid' ? ' (expected)' : o.verdict === 'valid' ? ' (expected invalid!)' : '') : '';
  return `${o.verdict === 'invalid' ? 'INVALID' : o.verdict}${expected}${STATUS_TEXT[o.status]}`;
}

/**
 * The campaign's index.html: one row per test with its verdict and a link to its run's
 * report, relative to the campaign directory so the whole store can be moved or uploaded
 * as a CI artefact. Plain HTML, every value escaped, no script.
 */
export function renderCampaignIndex(title: string, campaignDir: string, outcomes: readonly TestOutcome[]): string {
  const link = (runDir: string, file: string): string => `${relative(campaignDir, runDir).split(sep).map(encodeURIComponent).join('/')}/${file}`;
  const rows = outcomes.map((o, i) => {
    const links =
      o.runDir === undefined
        ? ''
        : `<a href="${escapeHtml(link(o.runDir, 'report.html'))}">report</a> · <a href="${escapeHtml(link(o.runDir, 'results.json'))}">results.json</a>`;
    const why = o.error ?? expectationText(o) ?? o.checkers.filter((c) => c.verdict !== 'valid').map((c) => `${c.checker}: ${c.verdict}`).join('; ');
    // Coloured by what the row means for the gate: a canary that found its anomaly is green.
    return `<tr class="${gatingVerdict(o)}">
<td>${i + 1}</td>
<td>${o.runDir === undefined ? escapeHtml(o.name) : `<a href="${escapeHtml(link(o.runDir, 'report.html'))}">${escapeHtml(o.name)}</a>`}</td>
<td><span class="pill">${escapeHtml(outcomeText(o))}</span></td>
<td>${escapeHtml([o.system, o.workload, o.nemesis?.join('+') || 'no faults'].filter((s) => s !== undefined).join(' / '))}</td>
<td class="mono">${o.seed ?? ''}</td>
<td class="mono">${(o.durationMs / 1000).toFixed(0)} s</td>
<td>${escapeHtml(why)}</td>
<td>${links}</td>
</tr>`;
  });
  const verdict = overallVerdict(outcomes);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
${INDEX_STYLE}
.valid.big { background: #1b7f3b; } .invalid.big { background: #c62828; } .big { font-size: 15px; padding: 2px 12px; }
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub"><span class="pill big ${verdict}">${escapeHtml(verdict === 'invalid' ? 'INVALID' : verdict)}</span> · exit code ${exitCodeFor(outcomes)} · ${outcomes.length} test${outcomes.length === 1 ? '' : 's'}</p>
<table>
<thead><tr><th>#</th><th>test</th><th>verdict</th><th>system / workload / faults</th><th>seed</th><th>time</th><th>why</th><th>links</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body></html>
`;
}
