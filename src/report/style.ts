/** The report's stylesheet, inlined into every report. */
export const STYLE = `
:root { --ok: #2f9e55; --fail: #9aa3ad; --info: #e8a317; --bad: #c62828; --unknown: #b26a00; --good: #1b7f3b;
  --ink: #1d2329; --muted: #5f6b76; --line: #dde2e7; --bg: #f6f8fa; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
#app { max-width: 1280px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.sub { color: var(--muted); margin-bottom: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
.verdict { border-left: 8px solid var(--muted); }
.verdict.valid { border-left-color: var(--good); }
.verdict.invalid { border-left-color: var(--bad); }
.verdict.unknown { border-left-color: var(--unknown); }
.verdict .big { font-size: 24px; font-weight: 700; }
.verdict.valid .big { color: var(--good); }
.verdict.invalid .big { color: var(--bad); }
.verdict.unknown .big { color: var(--unknown); }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; margin-right: 6px; }
.pill.valid { background: var(--good); } .pill.invalid { background: var(--bad); } .pill.unknown { background: var(--unknown); }
.checker { margin: 6px 0; }
.problems { color: var(--unknown); margin: 8px 0 0; padding-left: 20px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 4px 24px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; word-break: break-word; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; }
.mono, td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.tables { display: flex; flex-wrap: wrap; gap: 28px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; color: var(--muted); font-size: 12.5px; margin: 4px 0 8px; align-items: center; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; color: var(--muted); font-size: 12.5px; }
button, select { font: inherit; font-size: 12.5px; padding: 2px 10px; border: 1px solid var(--line); border-radius: 5px; background: #fff; cursor: pointer; }
button:hover { background: var(--bg); }
canvas { display: block; width: 100%; cursor: crosshair; }
.stack { position: relative; }
.stack canvas.overlay { position: absolute; left: 0; top: 0; pointer-events: none; }
.scroll { max-height: 560px; overflow-y: auto; border: 1px solid var(--line); border-radius: 4px; }
#tooltip { position: fixed; z-index: 10; pointer-events: none; max-width: 460px; background: #1d2329; color: #fff; padding: 7px 10px;
  border-radius: 6px; font-size: 12.5px; line-height: 1.4; box-shadow: 0 4px 14px rgba(0,0,0,.25); white-space: pre-wrap; word-break: break-word; }
.failure { border-top: 1px solid var(--line); padding-top: 10px; margin-top: 10px; }
.why { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.why b { color: var(--bad); }
details > summary { cursor: pointer; color: var(--muted); margin-top: 8px; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 400px; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.edge-list li { margin: 3px 0; }
.kind { display: inline-block; font-weight: 700; font-family: ui-monospace, monospace; padding: 0 5px; border-radius: 4px; background: #eef1f4; }
.noscript { padding: 20px; }
`;
