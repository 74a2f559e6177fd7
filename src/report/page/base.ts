/**
 * The shared part of the report page's script: the data, text-only DOM helpers, the
 * operations indexed by process, the tooltip, and the time window that every chart follows
 * (wheel zooms, drag pans, double-click resets).
 * Plain ES2017 run inside the page's one function scope (see ../client-script.ts).
 */
export const BASE = String.raw`
'use strict';
var D = JSON.parse(document.getElementById('faultline-data').textContent);
var app = document.getElementById('app');
var tip = document.getElementById('tooltip');
var OUT = ['ok', 'fail', 'info'];
var OUT_COLOR = ['#2f9e55', '#b4bcc5', '#e8a317'];
var OUT_WORDS = ['ok', 'fail (certainly did not happen)', 'info (outcome unknown)'];
var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
var FAULT_FILL = ['rgba(214,69,65,0.13)', 'rgba(123,77,200,0.13)', 'rgba(30,120,220,0.13)', 'rgba(220,140,0,0.16)'];
var FAULT_INK = ['#b03a36', '#6a3fb5', '#1f66b8', '#a86a00'];
var faultKinds = [];
D.faults.forEach(function (f) { if (faultKinds.indexOf(f.fault) < 0) faultKinds.push(f.fault); });
function faultIdx(kind) { return faultKinds.indexOf(kind) % FAULT_FILL.length; }

// ---- DOM helpers: text only ----
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function add(parent, tag, cls, text) { return parent.appendChild(el(tag, cls, text)); }
function card(title) { var c = add(app, 'section', 'card'); if (title) add(c, 'h2', null, title); return c; }
function kv(parent, rows) {
  var dl = add(parent, 'dl', 'kv');
  rows.forEach(function (r) { if (r[1] === undefined || r[1] === null || r[1] === '') return; add(dl, 'dt', null, r[0]); add(dl, 'dd', null, r[1]); });
  return dl;
}
function table(parent, head, rows, textCols) {
  var t = add(parent, 'table');
  var tr = add(add(t, 'thead'), 'tr');
  head.forEach(function (h, i) { add(tr, 'th', textCols && textCols.indexOf(i) >= 0 ? 'text' : null, h); });
  var body = add(t, 'tbody');
  rows.forEach(function (r) {
    var row = add(body, 'tr');
    r.forEach(function (c, i) { add(row, 'td', textCols && textCols.indexOf(i) >= 0 ? 'text mono' : null, c); });
  });
  return t;
}
function show(v) { return v === undefined ? '' : JSON.stringify(v); }
function fmtMs(ms) {
  if (ms < 0 || ms !== ms) return '—';
  if (ms < 1) return (ms * 1000).toFixed(0) + ' µs';
  if (ms < 1000) return ms.toFixed(ms < 10 ? 2 : 1) + ' ms';
  return (ms / 1000).toFixed(3) + ' s';
}
function fmtDuration(ms) {
  var s = ms / 1000;
  if (s < 120) return s.toFixed(1) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}
function niceStep(span, n) {
  var raw = span / n, pow = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / pow;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * pow;
}
function fmtTick(t, step) {
  if (step >= 1000) return (t / 1000).toFixed(step >= 10000 ? 0 : step >= 1000 ? Math.max(0, 3 - Math.round(Math.log10(step))) : 1) + ' s';
  return t.toFixed(step >= 1 ? 0 : 2) + ' ms';
}
function pct(sorted, q) { return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]; }

// ---- operations ----
var OPS = D.ops, N = OPS.length, END = Math.max(D.endMs, 1);
var procs = [];
(function () {
  var seen = {};
  OPS.forEach(function (r) { if (!seen[r[0]]) { seen[r[0]] = true; procs.push(r[0]); } });
  procs.sort(function (a, b) { return a - b; });
})();
var laneOf = {}; procs.forEach(function (p, i) { laneOf[p] = i; });
var lanes = procs.map(function () { return []; });
var byInvoke = {};
OPS.forEach(function (r, i) { lanes[laneOf[r[0]]].push(i); byInvoke[r[10]] = i; });
function retOf(r) { return r[2] < 0 ? END : r[2]; }
// 'read → 4', 'write 3', 'cas [1,2]', 'write 3 (unknown)': what a person would say.
function title(f, input, output, type) {
  var s = f + (input === null ? '' : ' ' + show(input));
  if (type === 'ok' && output !== null && JSON.stringify(output) !== JSON.stringify(input)) s += ' → ' + show(output);
  if (type !== 'ok') s += ' (' + type + ')';
  return s;
}
function opTitle(r) { return title(D.fs[r[4]], r[7], r[8], OUT[r[3]]); }
function opText(r) {
  var lines = [];
  lines.push('process ' + r[0] + (r[5] >= 0 ? ' on ' + D.nodes[r[5]] : '') + (r[6] !== null ? ', key ' + show(r[6]) : ''));
  lines.push(D.fs[r[4]] + '  ' + show(r[7]));
  if (r[3] === 0) lines.push('returned ' + show(r[8]));
  lines.push('outcome: ' + OUT_WORDS[r[3]] + (r[9] !== null ? ' — ' + r[9] : ''));
  lines.push('invoked at ' + fmtMs(r[1]) + (r[2] >= 0 ? ', completed at ' + fmtMs(r[2]) + ' (latency ' + fmtMs(r[2] - r[1]) + ')' : ', never completed'));
  lines.push('history event #' + r[10]);
  return lines.join('\n');
}
function showTip(text, ev) {
  tip.textContent = text;
  tip.hidden = false;
  var x = ev.clientX + 14, y = ev.clientY + 14;
  var w = tip.offsetWidth, h = tip.offsetHeight;
  if (x + w > window.innerWidth - 8) x = ev.clientX - w - 14;
  if (y + h > window.innerHeight - 8) y = ev.clientY - h - 14;
  tip.style.left = Math.max(4, x) + 'px';
  tip.style.top = Math.max(4, y) + 'px';
}
function hideTip() { tip.hidden = true; }

// ---- the shared time window ----
var view = { a: 0, b: END };
var redrawers = [];
function setView(a, b) {
  var span = Math.max(b - a, 0.01);
  if (span > END) { a = 0; span = END; }
  a = Math.max(0, Math.min(a, END - span));
  view.a = a; view.b = a + span;
  redrawers.forEach(function (f) { f(); });
}
function canvasCtx(canvas, height) {
  var dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 800;
  canvas.style.height = height + 'px';
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(height * dpr);
  var ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = '11px system-ui, sans-serif';
  return { ctx: ctx, w: w, h: height };
}
// With labelY, each band is named at that height (in a strip kept free of bars).
function drawFaultBands(ctx, x0, top, bottom, toX, labelY) {
  D.faults.forEach(function (f) {
    var xa = Math.max(x0, toX(f.startMs)), xb = toX(f.endMs);
    if (xb < x0 || xa > xb) return;
    ctx.fillStyle = FAULT_FILL[faultIdx(f.fault)];
    ctx.fillRect(xa, top, Math.max(2, xb - xa), bottom - top);
    if (labelY !== undefined && xb - xa > 30) { ctx.fillStyle = FAULT_INK[faultIdx(f.fault)]; ctx.fillText(f.fault + (f.targets ? ' ' + f.targets : ''), xa + 3, labelY); }
  });
}
function drawTimeAxis(ctx, x0, w, y, toX) {
  var step = niceStep(view.b - view.a, Math.max(2, Math.floor((w - x0) / 110)));
  ctx.fillStyle = '#5f6b76'; ctx.strokeStyle = '#dde2e7';
  for (var t = Math.ceil(view.a / step) * step; t <= view.b; t += step) {
    var x = toX(t);
    ctx.beginPath(); ctx.moveTo(x, y - 4); ctx.lineTo(x, y); ctx.stroke();
    ctx.fillText(fmtTick(t, step), x + 2, y - 6);
  }
}
// Wheel zooms around the pointer, drag pans, double-click resets: on every time chart.
function attachZoom(canvas, x0) {
  var drag = null;
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect(), frac = Math.max(0, (ev.clientX - r.left - x0) / (r.width - x0));
    var t = view.a + frac * (view.b - view.a), k = ev.deltaY > 0 ? 1.25 : 0.8;
    var span = (view.b - view.a) * k;
    setView(t - frac * span, t - frac * span + span);
  }, { passive: false });
  canvas.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, a: view.a, b: view.b }; });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var r = canvas.getBoundingClientRect(), dt = (ev.clientX - drag.x) / (r.width - x0) * (drag.b - drag.a);
    setView(drag.a - dt, drag.b - dt);
  });
  canvas.addEventListener('dblclick', function () { setView(0, END); });
}
`;
