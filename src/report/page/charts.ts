/**
 * The report page's three time charts on canvas: the per-process timeline (bars merged
 * per pixel, hover on its own layer), latency (scatter and window percentiles) and
 * throughput, all with the fault bands and one shared time window.
 * Plain ES2017 run inside the page's one function scope (see ../client-script.ts).
 */
export const CHARTS = String.raw`
// ---- timeline ----
var highlight = { blocked: {}, prefix: {}, hover: -1 };
var tc = card('Timeline of operations');
var tl = add(tc, 'div', 'toolbar');
add(tl, 'span', null, 'One row per process; bars run from invocation to completion. Scroll to zoom, drag to pan, double-click to reset.');
var resetBtn = add(tl, 'button', null, 'Reset zoom'); resetBtn.addEventListener('click', function () { setView(0, END); });
var leg = add(tc, 'div', 'legend');
OUT.forEach(function (o, i) { var s = add(leg, 'span'); add(s, 'span', 'swatch').style.background = OUT_COLOR[i]; s.appendChild(document.createTextNode(OUT_WORDS[i])); });
faultKinds.forEach(function (k) { var s = add(leg, 'span'); add(s, 'span', 'swatch').style.background = FAULT_FILL[faultIdx(k)].replace('0.13', '0.45').replace('0.16', '0.45'); s.appendChild(document.createTextNode(k)); });
var s0 = add(leg, 'span'); var sw0 = add(s0, 'span', 'swatch'); sw0.style.border = '2px solid #c62828'; s0.appendChild(document.createTextNode('could not be linearized'));
var LANE_H = Math.max(2, Math.min(20, Math.floor(480 / Math.max(1, procs.length))));
var TL_TOP = 36, TL_X0 = 48;
var tlWrap = add(tc, 'div', procs.length * LANE_H + TL_TOP > 560 ? 'scroll' : null);
var tlStack = add(tlWrap, 'div', 'stack');
var timeline = add(tlStack, 'canvas'); timeline.id = 'timeline';
// Hover is drawn on a layer of its own, so that moving the pointer never redraws 100,000 bars.
var overlay = add(tlStack, 'canvas', 'overlay');
// The geometry, for anyone driving the page (the browser test finds rows by it).
timeline.dataset.top = String(TL_TOP); timeline.dataset.laneHeight = String(LANE_H);
/** First position in list (indices into OPS, by invocation time; null: OPS itself) whose op was invoked at or after t. */
function lowerBound(list, t) {
  var lo = 0, hi = list === null ? N : list.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (OPS[list === null ? mid : list[mid]][1] < t) lo = mid + 1; else hi = mid; }
  return lo;
}
var tlK = 1;
function tlScale() { tlK = (timeline.clientWidth - TL_X0) / (view.b - view.a); }
function tlToX(t) { return TL_X0 + (t - view.a) * tlK; }
function outline(ctx, i, color, width) {
  var r = OPS[i];
  if (r === undefined) return;
  var x1 = Math.max(TL_X0, tlToX(r[1])), x2 = Math.max(x1 + 2, tlToX(retOf(r)));
  ctx.strokeStyle = color; ctx.lineWidth = width;
  ctx.strokeRect(x1 - 1, TL_TOP + laneOf[r[0]] * LANE_H, x2 - x1 + 2, Math.max(3, LANE_H));
  ctx.lineWidth = 1;
}
function drawTimeline() {
  var c = canvasCtx(timeline, procs.length * LANE_H + TL_TOP + 4), ctx = c.ctx, w = c.w, h = c.h;
  tlScale();
  ctx.clearRect(0, 0, w, h);
  drawFaultBands(ctx, TL_X0, TL_TOP - 14, h, tlToX, TL_TOP - 4);
  drawTimeAxis(ctx, TL_X0, w, TL_TOP - 16, tlToX);
  ctx.fillStyle = '#5f6b76';
  var every = Math.ceil(11 / LANE_H);
  procs.forEach(function (p, i) { if (i % every === 0) ctx.fillText(String(p), 4, TL_TOP + i * LANE_H + Math.min(LANE_H, 11)); });
  var bh = Math.max(1, LANE_H - 2), style = '';
  // A process runs one operation at a time, so its row is ordered: start just before the
  // window, stop after it, and merge bars of one outcome that touch on screen (zoomed out,
  // a row is a few hundred rectangles, not 20,000).
  lanes.forEach(function (list, lane) {
    var y = TL_TOP + lane * LANE_H + 1, runA = [0, 0, 0], runB = [-1, -1, -1];
    function flush(o) {
      if (runB[o] < 0) return;
      if (style !== OUT_COLOR[o]) { style = OUT_COLOR[o]; ctx.fillStyle = style; }
      ctx.fillRect(runA[o], y, Math.max(1, runB[o] - runA[o]), bh);
    }
    for (var j = Math.max(0, lowerBound(list, view.a) - 1); j < list.length; j++) {
      var r = OPS[list[j]], o = r[3];
      if (r[1] > view.b) break;
      var ret = retOf(r);
      if (ret < view.a) continue;
      var x1 = Math.max(TL_X0, tlToX(r[1])), x2 = Math.max(x1 + 1, tlToX(ret));
      if (x1 <= runB[o] + 0.5) { runB[o] = Math.max(runB[o], x2); continue; }
      flush(o);
      runA[o] = x1; runB[o] = x2;
    }
    flush(0); flush(1); flush(2);
  });
  Object.keys(highlight.prefix).forEach(function (i) { outline(ctx, +i, '#1d2329', 1); });
  Object.keys(highlight.blocked).forEach(function (i) { outline(ctx, +i, '#c62828', 2.5); });
  drawHover();
}
function drawHover() {
  var c = canvasCtx(overlay, procs.length * LANE_H + TL_TOP + 4);
  tlScale();
  c.ctx.clearRect(0, 0, c.w, c.h);
  if (highlight.hover >= 0) outline(c.ctx, highlight.hover, '#000', 1.5);
}
function opAt(canvas, ev) {
  var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
  var lane = Math.floor((y - TL_TOP) / LANE_H);
  if (lane < 0 || lane >= procs.length || x < TL_X0) return -1;
  var k = (r.width - TL_X0) / (view.b - view.a), t = view.a + (x - TL_X0) / k, slack = 3 / k;
  var list = lanes[lane], at = lowerBound(list, t + slack) - 1;
  if (at < 0) return -1;
  // One operation at a time per process: the last one invoked before t is the only candidate.
  var i = list[at];
  return retOf(OPS[i]) >= t - slack ? i : -1;
}
timeline.addEventListener('mousemove', function (ev) {
  var i = opAt(timeline, ev);
  if (i !== highlight.hover) { highlight.hover = i; drawHover(); }
  if (i >= 0) showTip('op #' + i + ' — ' + opTitle(OPS[i]) + '\n' + opText(OPS[i]), ev); else hideTip();
});
timeline.addEventListener('mouseleave', function () { highlight.hover = -1; hideTip(); drawHover(); });
attachZoom(timeline, TL_X0);
redrawers.push(drawTimeline);

// ---- latency ----
var lc = card('Latency over time');
var lt = add(lc, 'div', 'toolbar');
add(lt, 'span', null, 'Each completed operation at its invocation time (log scale); lines are the 50th, 95th and 99th percentiles of the window.');
var fSel = add(lt, 'select'); fSel.id = 'latency-f';
add(fSel, 'option', null, 'all functions').value = '-1';
D.fs.forEach(function (f, i) { add(fSel, 'option', null, f).value = String(i); });
fSel.addEventListener('change', function () { drawLatency(); });
var lleg = add(lc, 'div', 'legend');
D.fs.forEach(function (f, i) { var s = add(lleg, 'span'); add(s, 'span', 'swatch').style.background = PALETTE[i % PALETTE.length]; s.appendChild(document.createTextNode(f + ' ok')); });
[['fail', 1], ['info', 2]].forEach(function (p) { var s = add(lleg, 'span'); add(s, 'span', 'swatch').style.background = OUT_COLOR[p[1]]; s.appendChild(document.createTextNode(p[0])); });
var QCOL = ['#1d2329', '#8e24aa', '#c62828'];
['p50', 'p95', 'p99'].forEach(function (q, i) { var s = add(lleg, 'span'); var sw = add(s, 'span', 'swatch'); sw.style.height = '3px'; sw.style.background = QCOL[i]; s.appendChild(document.createTextNode(q)); });
var latency = add(lc, 'canvas'); latency.id = 'latency';
var CH_X0 = 60;
// The scatter's colour classes (ok per function, then fail, then info), each with its operations in time order.
var SCATTER = D.fs.map(function (f, fi) { return { f: fi, color: PALETTE[fi % PALETTE.length], alpha: 0.7, list: [] }; })
  .concat([{ f: -1, color: OUT_COLOR[1], alpha: 0.9, list: [] }, { f: -1, color: OUT_COLOR[2], alpha: 0.9, list: [] }]);
OPS.forEach(function (r, i) { if (r[2] >= 0) SCATTER[r[3] === 0 ? r[4] : D.fs.length + r[3] - 1].list.push(i); });
// One latency scale for the whole run, so that zooming never rescales it.
var LAT = { lo: Infinity, hi: 0 };
OPS.forEach(function (r) { if (r[2] < 0) return; var l = Math.max(r[2] - r[1], 0.001); if (l < LAT.lo) LAT.lo = l; if (l > LAT.hi) LAT.hi = l; });
// The longest completed operation: how far before a window an operation ending in it may start.
var MAX_DURATION = 0;
OPS.forEach(function (r) { if (r[2] >= 0) MAX_DURATION = Math.max(MAX_DURATION, r[2] - r[1]); });
function drawLatency() {
  var c = canvasCtx(latency, 260), ctx = c.ctx, w = c.w, h = c.h, top = 8, bottom = h - 22;
  var sel = +fSel.value;
  var kx = (w - CH_X0) / (view.b - view.a);
  function toX(t) { return CH_X0 + (t - view.a) * kx; }
  var lo = LAT.lo, hi = LAT.hi, i, r, lat, from = lowerBound(null, view.a), to = lowerBound(null, view.b + 1e-9);
  ctx.clearRect(0, 0, w, h);
  drawFaultBands(ctx, CH_X0, top, bottom, toX);
  if (hi === 0) { ctx.fillStyle = '#5f6b76'; ctx.fillText('no completed operations', CH_X0 + 10, 40); return; }
  var l0 = Math.floor(Math.log10(lo)), l1 = Math.ceil(Math.log10(hi)); if (l1 === l0) l1++;
  function toY(v) { return bottom - (Math.log10(Math.max(v, 0.001)) - l0) / (l1 - l0) * (bottom - top); }
  ctx.strokeStyle = '#eef1f4'; ctx.fillStyle = '#5f6b76';
  for (var d = l0; d <= l1; d++) { var y = toY(Math.pow(10, d)); ctx.beginPath(); ctx.moveTo(CH_X0, y); ctx.lineTo(w, y); ctx.stroke(); ctx.fillText(fmtMs(Math.pow(10, d)), 4, y + 4); }
  drawTimeAxis(ctx, CH_X0, w, h, toX);
  var visible = 0;
  for (i = from; i < to; i++) { r = OPS[i]; if (r[2] >= 0 && (sel < 0 || r[4] === sel)) visible++; }
  // Enough operations per bucket for a percentile to mean something.
  var nb = Math.max(4, Math.min(60, Math.floor(visible / 12))), bw = (view.b - view.a) / nb, buckets = [];
  for (i = 0; i < nb; i++) buckets.push([]);
  for (i = from; i < to; i++) {
    r = OPS[i];
    if (r[2] < 0 || (sel >= 0 && r[4] !== sel)) continue;
    buckets[Math.min(nb - 1, Math.floor((r[1] - view.a) / bw))].push(r[2] - r[1]);
  }
  // One colour at a time, and one dot per pixel: a dense run is a few thousand dots, not 100,000.
  var seen = new Uint8Array(Math.ceil(w) * Math.ceil(h));
  SCATTER.forEach(function (cls) {
    if (sel >= 0 && cls.f !== sel && cls.f >= 0) return;
    ctx.fillStyle = cls.color; ctx.globalAlpha = cls.alpha;
    seen.fill(0);
    for (var j = lowerBound(cls.list, view.a); j < cls.list.length; j++) {
      var q = OPS[cls.list[j]];
      if (q[1] > view.b) break;
      if (sel >= 0 && q[4] !== sel) continue;
      var x = toX(q[1]), y = toY(q[2] - q[1]), px = Math.round(y) * Math.ceil(w) + Math.round(x);
      if (seen[px]) continue;
      seen[px] = 1;
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
    }
  });
  ctx.globalAlpha = 1;
  // Typed arrays sort numerically, and several times faster than arrays with a comparator.
  buckets = buckets.map(function (b) { return Float64Array.from(b).sort(); });
  [0.5, 0.95, 0.99].forEach(function (q, qi) {
    ctx.strokeStyle = QCOL[qi]; ctx.lineWidth = 1.6; ctx.beginPath();
    var pen = false;
    buckets.forEach(function (b, bi) {
      if (b.length < 3) { pen = false; return; }
      var x = toX(view.a + (bi + 0.5) * bw), y = toY(pct(b, q));
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    });
    ctx.stroke();
  });
  ctx.lineWidth = 1;
}
attachZoom(latency, CH_X0);
redrawers.push(drawLatency);
var qtab = add(lc, 'div');
add(qtab, 'h3', null, 'Latency of ok operations, by function (whole run)');
table(qtab, ['f', 'count', 'p50', 'p95', 'p99', 'max'], D.fs.map(function (f, fi) {
  var l = [];
  OPS.forEach(function (r) { if (r[4] === fi && r[3] === 0 && r[2] >= 0) l.push(r[2] - r[1]); });
  l.sort(function (a, b) { return a - b; });
  return l.length ? [f, l.length, fmtMs(pct(l, 0.5)), fmtMs(pct(l, 0.95)), fmtMs(pct(l, 0.99)), fmtMs(l[l.length - 1])] : [f, 0, '—', '—', '—', '—'];
}), [0]);

// ---- throughput ----
var thc = card('Throughput over time');
var tleg = add(thc, 'div', 'legend');
add(tleg, 'span', null, 'Completions per second:');
D.fs.forEach(function (f, i) { var s = add(tleg, 'span'); add(s, 'span', 'swatch').style.background = PALETTE[i % PALETTE.length]; s.appendChild(document.createTextNode(f + ' ok')); });
var s1 = add(tleg, 'span'); add(s1, 'span', 'swatch').style.background = '#6b7580'; s1.appendChild(document.createTextNode('fail + info (dashed)'));
var thr = add(thc, 'canvas'); thr.id = 'throughput';
function drawThroughput() {
  var c = canvasCtx(thr, 200), ctx = c.ctx, w = c.w, h = c.h, top = 8, bottom = h - 22;
  var kx = (w - CH_X0) / (view.b - view.a);
  function toX(t) { return CH_X0 + (t - view.a) * kx; }
  var visible = 0, i, r, from = lowerBound(null, view.a - MAX_DURATION), to = lowerBound(null, view.b + 1e-9);
  for (i = from; i < to; i++) { r = OPS[i]; if (r[2] >= view.a && r[2] <= view.b) visible++; }
  var bw = niceStep(view.b - view.a, Math.max(5, Math.min(80, Math.floor(visible / 8)))), b0 = Math.floor(view.a / bw) * bw, nb = Math.ceil((view.b - b0) / bw) + 1;
  var series = D.fs.map(function () { return new Array(nb).fill(0); }), bad = new Array(nb).fill(0);
  for (i = lowerBound(null, b0 - MAX_DURATION); i < to; i++) {
    r = OPS[i];
    if (r[2] < 0 || r[2] < b0 || r[2] > view.b) continue;
    var b = Math.floor((r[2] - b0) / bw);
    if (r[3] === 0) series[r[4]][b]++; else bad[b]++;
  }
  var per = 1000 / bw, max = 1;
  series.concat([bad]).forEach(function (s) { s.forEach(function (v) { if (v * per > max) max = v * per; }); });
  function toY(v) { return bottom - v / max * (bottom - top); }
  ctx.clearRect(0, 0, w, h);
  drawFaultBands(ctx, CH_X0, top, bottom, toX);
  var ys = niceStep(max, 4);
  ctx.strokeStyle = '#eef1f4'; ctx.fillStyle = '#5f6b76';
  for (var v = 0; v <= max; v += ys) { var y = toY(v); ctx.beginPath(); ctx.moveTo(CH_X0, y); ctx.lineTo(w, y); ctx.stroke(); ctx.fillText(v.toFixed(ys < 1 ? 1 : 0) + '/s', 4, y + 4); }
  drawTimeAxis(ctx, CH_X0, w, h, toX);
  function line(s, color, dash) {
    ctx.strokeStyle = color; ctx.setLineDash(dash); ctx.lineWidth = 1.6; ctx.beginPath();
    s.forEach(function (n, bi) { var x = toX(b0 + (bi + 0.5) * bw), y = toY(n * per); if (bi === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y); });
    ctx.stroke(); ctx.setLineDash([]); ctx.lineWidth = 1;
  }
  series.forEach(function (s, fi) { line(s, PALETTE[fi % PALETTE.length], []); });
  line(bad, '#6b7580', [4, 3]);
}
attachZoom(thr, CH_X0);
redrawers.push(drawThroughput);
`;
