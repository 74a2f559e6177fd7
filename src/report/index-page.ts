import type { Verdict } from '../checker/verdict.js';
import { escapeHtml } from './escape.js';

/** One run in the store's index. */
export interface RunEntry {
  /** `<test-dir>/<run-dir>`: the run's path under the store, also its URL path. */
  path: string;
  /** The test's name as recorded (test.json), else the test directory's name. */
  name: string;
  /** ISO time the run started (test.json), else derived from the directory name. */
  startedAt: string;
  verdict: Verdict;
  /** results.json exists: the run got as far as checking. */
  complete: boolean;
  system?: string;
  workload?: string;
}

const VERDICT_TEXT: Record<Verdict, string> = { valid: 'valid', invalid: 'INVALID', unknown: 'unknown' };

/**
 * The store's index page: every run, newest first, with its verdict and links to its
 * report and files. Plain HTML with every value escaped; no script at all.
 */
export function renderIndexPage(store: string, runs: readonly RunEntry[], truncated: boolean): string {
  const rows = runs
    .map((r) => {
      const verdict = r.complete ? VERDICT_TEXT[r.verdict] : `${VERDICT_TEXT[r.verdict]} (incomplete)`;
      const base = `/runs/${r.path.split('/').map(encodeURIComponent).join('/')}`;
      return `<tr class="${r.verdict}">
<td><a href="${escapeHtml(`${base}/report.html`)}">${escapeHtml(r.name)}</a></td>
<td class="mono">${escapeHtml(r.startedAt)}</td>
<td><span class="pill">${escapeHtml(verdict)}</span></td>
<td>${escapeHtml([r.system, r.workload].filter((s) => s !== undefined).join(' / '))}</td>
<td><a href="${escapeHtml(`${base}/report.html`)}">report</a> · <a href="${escapeHtml(`${base}/`)}">files</a></td>
</tr>`;
    })
    .join('\n');
  const counts = { valid: 0, invalid: 0, unknown: 0 };
  for (const r of runs) counts[r.verdict]++;
  return page(
    'faultline runs',
    `<h1>faultline runs</h1>
<p class="sub">${escapeHtml(store)} · ${runs.length} run${runs.length === 1 ? '' : 's'}: ${counts.invalid} invalid, ${counts.unknown} unknown, ${counts.valid} valid${truncated ? ' · only the newest are listed' : ''}</p>
${runs.length === 0 ? '<p>No runs yet. Start one with <code>faultline run</code>.</p>' : `<table>
<thead><tr><th>test</th><th>started</th><th>verdict</th><th>system / workload</th><th>links</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`}`,
  );
}

/** A directory of a run (or below), as links. `entries` are names; directories end in `/`. */
export function renderListingPage(urlPath: string, entries: readonly string[], truncated: boolean): string {
  const items = entries.map((e) => `<li><a href="${escapeHtml(encodeURIComponent(e.replace(/\/$/, '')) + (e.endsWith('/') ? '/' : ''))}">${escapeHtml(e)}</a></li>`).join('\n');
  return page(
    urlPath,
    `<p><a href="/">all runs</a> · <a href="../">up</a></p>
<h1 class="mono">${escapeHtml(urlPath)}</h1>
<ul>
${items}
</ul>${truncated ? '<p class="sub">(only the first entries are listed)</p>' : ''}`,
  );
}

/** The index pages' look, shared with a campaign's index.html (src/campaign/index-page.ts). */
export const INDEX_STYLE = `body { font: 14px/1.45 system-ui, sans-serif; color: #1d2329; background: #f6f8fa; margin: 0; padding: 20px 28px; }
h1 { font-size: 20px; margin: 0 0 4px; word-break: break-all; } .sub { color: #5f6b76; }
table { border-collapse: collapse; background: #fff; border: 1px solid #dde2e7; }
th, td { text-align: left; padding: 5px 12px; border-bottom: 1px solid #dde2e7; word-break: break-word; }
.mono, code { font-family: ui-monospace, monospace; font-size: 12.5px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #b26a00; }
tr.valid .pill { background: #1b7f3b; } tr.invalid .pill { background: #c62828; }
a { color: #1f66b8; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
${INDEX_STYLE}</style></head>
<body>
${body}
</body></html>
`;
}
