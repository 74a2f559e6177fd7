import { type Operation, pairHistory } from '../history/operation.js';
import type { Json } from '../history/event.js';
import { version } from '../version.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { jsonForScript } from './escape.js';
import type { ReportInput } from './input.js';
import { STYLE } from './style.js';
import { exactJsonText } from '../history/exact-json.js';

const NS_PER_MS = 1e6;
const OUTCOME_CODE = { ok: 0, fail: 1, info: 2 } as const;
/** A checker's raw details beyond this many characters are cut in the embedded copy (the file in the run has it all). */
const RAW_DETAILS_LIMIT = 200_000;

/**
 * One operation, compact, for the page's script: `[process, call ms, return ms (-1: never),
 * outcome (0 ok, 1 fail, 2 info), function #, node # (-1: none), key, input, output, error,
 * invocation event index]`. Arrays, not objects: a 100,000-operation history stays a few MB.
 */
type OpRow = [number, number, number, number, number, number, Json, Json, Json, string | null, number];

/** A checker's report with its details as indented JSON text (distributes over the union of kinds). */
type WithRawDetails<T> = T extends unknown ? Omit<T, 'details'> & { raw: string } : never;

/** What the page's script receives (everything it shows comes from here, as text). */
export interface ReportData {
  name: string;
  startedAt: string | null;
  faultlineVersion: string;
  verdict: ReportInput['verdict'];
  verdictReason: string | null;
  summary: ReportInput['summary'];
  counts: ReportInput['counts'];
  faults: ReportInput['faults'];
  problems: string[];
  checkers: Array<WithRawDetails<ReportInput['checkers'][number]>>;
  fs: string[];
  nodes: string[];
  ops: OpRow[];
  endMs: number;
}

/**
 * The report as one self-contained HTML file: styles, script and data inline, nothing
 * fetched. Every value from the run travels as JSON in a `<script type="application/json">`
 * and the page shows it with `textContent` or canvas text, never as markup.
 */
export function renderReport(input: ReportInput): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>faultline report</title>
<style>${STYLE}</style>
</head>
<body>
<noscript><p class="noscript">This report draws its content with JavaScript; please enable it. The raw data is in the page source.</p></noscript>
<div id="app"></div>
<div id="tooltip" role="tooltip" hidden></div>
<script type="application/json" id="faultline-data">${jsonForScript(reportData(input))}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

export function reportData(input: ReportInput): ReportData {
  const t0 = input.events[0]?.time ?? 0;
  const ms = (ns: number): number => Math.round(((ns - t0) / NS_PER_MS) * 1000) / 1000;
  const fs = new Index();
  const nodes = new Index();
  for (const n of input.summary.nodes) nodes.of(n);
  const { ops } = pairHistory(input.events, 'history.jsonl');
  const rows = ops.map((op: Operation): OpRow => [
    op.process,
    ms(op.call),
    Number.isFinite(op.ret) ? ms(op.ret) : -1,
    OUTCOME_CODE[op.type],
    fs.of(op.f),
    op.node === undefined ? -1 : nodes.of(op.node),
    op.key ?? null,
    op.input,
    op.output,
    op.error ?? null,
    op.invokeIndex,
  ]);
  // The page finds the operations in a time window by binary search: keep them in invocation-time order.
  rows.sort((a, b) => a[1] - b[1]);
  const last = input.events[input.events.length - 1];
  return {
    name: input.name,
    startedAt: input.startedAt ?? null,
    faultlineVersion: version,
    verdict: input.verdict,
    verdictReason: input.verdictReason ?? null,
    summary: input.summary,
    counts: input.counts,
    faults: input.faults,
    problems: input.problems,
    checkers: input.checkers.map(withRawDetails),
    fs: fs.names,
    nodes: nodes.names,
    ops: rows,
    endMs: last === undefined ? 0 : ms(last.time),
  };
}

function withRawDetails<T extends { details: Json }>(checker: T): WithRawDetails<T> {
  const { details, ...rest } = checker;
  return { ...rest, raw: rawText(details) } as unknown as WithRawDetails<T>;
}

function rawText(details: Json): string {
  const text = exactJsonText(details, null, 2);
  return text.length <= RAW_DETAILS_LIMIT ? text : `${text.slice(0, RAW_DETAILS_LIMIT)}\n… (cut: see results.json in the run directory)`;
}

class Index {
  readonly names: string[] = [];
  private readonly at = new Map<string, number>();
  of(name: string): number {
    let i = this.at.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.at.set(name, i);
    }
    return i;
  }
}
