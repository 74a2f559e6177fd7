/**
 * The report page's explanations: the linearizability counterexample (prefix, blocked
 * operation, model states) drawn and tabulated, and each transactional cycle drawn as a
 * graph with its edges' kinds and reasons; then the raw results and the first drawing.
 * Plain ES2017 run inside the page's one function scope (see ../client-script.ts).
 */
export const WHY = String.raw`
// ---- small drawings with their own hover (counterexamples, cycles) ----
function hoverRects(canvas, rects) {
  canvas.addEventListener('mousemove', function (ev) {
    var b = canvas.getBoundingClientRect(), x = ev.clientX - b.left, y = ev.clientY - b.top;
    for (var i = rects.length - 1; i >= 0; i--) {
      var q = rects[i];
      if (x >= q.x && x <= q.x + q.w && y >= q.y && y <= q.y + q.h) { showTip(q.text, ev); return; }
    }
    hideTip();
  });
  canvas.addEventListener('mouseleave', hideTip);
}
function clipText(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  var lo = 0, hi = text.length;
  while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (ctx.measureText(text.slice(0, mid) + '…').width <= width) lo = mid; else hi = mid - 1; }
  return lo > 0 ? text.slice(0, lo) + '…' : '';
}
function viewTitle(o) { return title(o.f, o.input, o.output, o.type); }
function viewText(o) {
  var i = byInvoke[o.invokeIndex];
  return i !== undefined ? 'history index ' + (o.completeIndex >= 0 ? o.completeIndex : o.invokeIndex) + ' — ' + opTitle(OPS[i]) + '\n' + opText(OPS[i]) : viewTitle(o) + '\nprocess ' + o.process + ', ' + o.type;
}

function drawCounterexample(parent, e) {
  var items = [], seen = {};
  function put(o, role, order) { if (seen[o.invokeIndex] !== undefined) return; seen[o.invokeIndex] = items.length; items.push({ o: o, role: role, order: order }); }
  var first = e.prefixLength - e.prefix.length + 1;
  put(e.blocked, 'blocked');
  e.prefix.forEach(function (l, i) { put(l.op, 'prefix', first + i); });
  e.candidates.forEach(function (cnd) { put(cnd.op, 'candidate'); });
  e.concurrent.forEach(function (o) { put(o, 'concurrent'); });
  var ps = [];
  items.forEach(function (it) { if (ps.indexOf(it.o.process) < 0) ps.push(it.o.process); });
  ps.sort(function (a, b) { return a - b; });
  // Times in the page's milliseconds (from the operation rows), so the run's fault bands and a
  // time axis can be drawn behind the operations; raw times when a row is missing.
  var inMs = items.every(function (it) { return byInvoke[it.o.invokeIndex] !== undefined; });
  function callOf(o) { return inMs ? OPS[byInvoke[o.invokeIndex]][1] : o.call; }
  function retOf(o) { if (!inMs) return o.ret; var r = OPS[byInvoke[o.invokeIndex]][2]; return r < 0 ? null : r; }
  var t0 = Infinity, t1 = -Infinity;
  items.forEach(function (it) { t0 = Math.min(t0, callOf(it.o)); var r = retOf(it.o); if (r !== null) t1 = Math.max(t1, r); });
  if (!(t1 > t0)) t1 = t0 + 1;
  var pad = (t1 - t0) * 0.06, open = t1 + pad * 3;
  var canvas = add(parent, 'canvas', 'counterexample');
  var X0 = 70, LH = 30, AXIS = 16, H = ps.length * LH + 30 + AXIS;
  var rects = [];
  function draw() {
    rects.length = 0;
    var c = canvasCtx(canvas, H), ctx = c.ctx, w = c.w, k = (w - X0 - 10) / (open - t0 + pad);
    function toX(t) { return X0 + (t - t0 + pad) * k; }
    ctx.clearRect(0, 0, w, H);
    if (inMs) drawFaultBands(ctx, X0, 18, H - AXIS, toX, 14);
    ctx.fillStyle = '#5f6b76';
    ps.forEach(function (p, i) { ctx.fillText('process ' + p, 4, 26 + i * LH + 14); });
    if (inMs) {
      var step = niceStep(open - t0 + pad, Math.max(2, Math.floor((w - X0) / 110)));
      ctx.strokeStyle = '#dde2e7';
      for (var t = Math.ceil((t0 - pad) / step) * step; t <= open; t += step) {
        var x = toX(t);
        ctx.beginPath(); ctx.moveTo(x, H - AXIS); ctx.lineTo(x, H - AXIS + 4); ctx.stroke();
        ctx.fillText(fmtTick(t, step), x + 2, H - 2);
      }
    } else ctx.fillText('time →', X0, 12);
    items.forEach(function (it) {
      var o = it.o, y = 22 + ps.indexOf(o.process) * LH, x1 = toX(callOf(o)), r = retOf(o), x2 = Math.max(x1 + 4, toX(r === null ? open : r));
      var fill = it.role === 'blocked' ? '#fdecea' : it.role === 'prefix' ? '#e3f4e8' : '#eef1f6';
      var edge = it.role === 'blocked' ? '#c62828' : it.role === 'prefix' ? '#2f9e55' : '#8a96a3';
      ctx.fillStyle = fill; ctx.fillRect(x1, y, x2 - x1, LH - 8);
      ctx.strokeStyle = edge; ctx.lineWidth = it.role === 'blocked' ? 2.5 : 1; ctx.setLineDash(r === null ? [4, 3] : []);
      ctx.strokeRect(x1, y, x2 - x1, LH - 8); ctx.setLineDash([]);
      var label = (it.order ? it.order + '. ' : it.role === 'blocked' ? '✗ ' : '') + viewTitle(o);
      ctx.fillStyle = it.role === 'blocked' ? '#c62828' : '#1d2329';
      var inside = clipText(ctx, label, x2 - x1 - 6);
      if (it.role === 'blocked' && inside !== label) {
        // The operation the reader must find gets its whole label, beside the bar if it does not fit inside.
        var lw = ctx.measureText(label).width;
        ctx.fillText(label, x2 + 6 + lw < w ? x2 + 6 : Math.max(2, x1 - lw - 6), y + 15);
      } else ctx.fillText(inside, x1 + 3, y + 15);
      rects.push({ x: x1, y: y, w: x2 - x1, h: LH - 8, text: (it.role === 'blocked' ? 'COULD NOT BE PLACED\n' : it.order ? 'linearized as #' + it.order + '\n' : it.role === 'candidate' ? 'candidate, could not be placed next\n' : 'concurrent\n') + viewText(o) });
    });
    ctx.lineWidth = 1;
  }
  draw();
  hoverRects(canvas, rects);
  window.addEventListener('resize', draw);
  var lg = add(parent, 'div', 'legend');
  [['#e3f4e8', '#2f9e55', 'linearizable prefix (numbered in order)'], ['#fdecea', '#c62828', 'the operation that could not be placed'], ['#eef1f6', '#8a96a3', 'concurrent / candidates'], ['#fff', '#8a96a3', 'dashed: never completed']].forEach(function (p) {
    var s = add(lg, 'span'), sw = add(s, 'span', 'swatch');
    sw.style.background = p[0]; sw.style.border = '1.5px ' + (p[0] === '#fff' ? 'dashed ' : 'solid ') + p[1];
    s.appendChild(document.createTextNode(p[2]));
  });
}

function linearizabilitySection(c) {
  var sh = c.shrunk;
  if (sh && sh.events && sh.events.length) {
    var sb = add(lc0, 'div', 'failure shrunk');
    add(sb, 'h3', null, c.name + ': smallest failing history — ' + sh.ops + ' of ' + sh.of + ' operations' + (sh.minimal ? ' (removing any one of them ends the failure)' : ' (budget ran out before it was minimal)'));
    table(sb, ['index', 'process', 'type', 'f', 'key', 'value', 'node'], sh.events.map(function (e) {
      return [String(e.index), String(e.process), e.type, e.f, e.key === undefined ? '' : show(e.key), show(e.value === undefined ? null : e.value), e.node || ''];
    }), [2, 3, 4, 5, 6]);
  }
  c.failures.forEach(function (f, fi) {
    var box = add(lc0, 'div', 'failure');
    box.id = 'failure-' + fi;
    add(box, 'h3', null, c.name + (f.key === null ? '' : ' — key ' + show(f.key)) + ': ' + (f.verdict === 'invalid' ? 'not linearizable' : 'undecided'));
    if (f.reason) add(box, 'p', null, f.reason);
    if (f.sentence) add(box, 'p', 'sentence', f.sentence);
    var e = f.explanation;
    if (!e) { if (f.verdict === 'invalid') add(box, 'p', null, 'No explanation was recorded for this key.'); return; }
    var why = add(box, 'div', 'why');
    var b = e.blocked;
    var states = e.states.map(show).join(' or ');
    add(why, 'b', null, 'Could not place: ');
    why.appendChild(document.createTextNode('process ' + b.process + ' ' + viewTitle(b) + '.'));
    add(why, 'br');
    if (e.conflict) {
      why.appendChild(document.createTextNode('It cannot be placed together with ' + viewTitle(e.conflict.with) + ' (process ' + e.conflict.with.process + '): ' + e.conflict.why + '.'));
    } else if (e.overwrittenBy) {
      why.appendChild(document.createTextNode('It is impossible in any order: every operation that could write the value it needs took effect before ' + viewTitle(e.overwrittenBy) + ' (process ' + e.overwrittenBy.process + ') began, and that one completed before it began — a stale read.'));
    } else if (e.impossible) {
      why.appendChild(document.createTextNode('It is impossible in any order: from the initial state ' + states + ' no operation of the history leads to a state that accepts it (e.g. it read a value nobody wrote).'));
    } else {
      why.appendChild(document.createTextNode('The longest linearizable prefix has ' + e.prefixLength + ' operation' + (e.prefixLength === 1 ? '' : 's') +
        '. After it the model state was ' + states + '. This operation had to take effect before it returned, but from that state no operation could be placed next' +
        (e.candidates.length ? ' (' + e.candidates.length + ' tried: ' + e.candidates.map(function (c) { return viewTitle(c.op) + ' — ' + (c.outcome === 'rejected' ? 'impossible in that state' : 'a dead end'); }).join('; ') + ').' : '.')));
    }
    var go = add(box, 'button', null, 'Show on the timeline');
    go.addEventListener('click', function () { focusFailure(e, true); document.getElementById('timeline').scrollIntoView({ behavior: 'smooth', block: 'center' }); });
    drawCounterexample(box, e);
    var rows = e.prefix.map(function (l, i) { return [String(e.prefixLength - e.prefix.length + i + 1), String(l.op.process), viewTitle(l.op), show(l.state)]; });
    rows.push(['✗', String(b.process), viewTitle(b), 'met ' + e.states.map(show).join(' or ') + ' — cannot be placed']);
    e.candidates.forEach(function (cnd) { rows.push(['?', String(cnd.op.process), viewTitle(cnd.op), cnd.outcome === 'rejected' ? 'rejected by the model' : 'possible, but a dead end']); });
    add(box, 'h3', null, 'Linearization, as far as it gets');
    table(box, ['#', 'process', 'operation', 'state after'], rows, [1, 2, 3]);
  });
}
function focusFailure(e, zoom) {
  highlight.blocked = {}; highlight.prefix = {};
  var lo = Infinity, hi = -Infinity;
  function mark(o, set) { var i = byInvoke[o.invokeIndex]; if (i === undefined) return; set[i] = true; lo = Math.min(lo, OPS[i][1]); hi = Math.max(hi, retOf(OPS[i])); }
  e.prefix.forEach(function (l) { mark(l.op, highlight.prefix); });
  e.concurrent.forEach(function (o) { mark(o, {}); });
  mark(e.blocked, highlight.blocked);
  if (zoom && hi > lo) { var pad = (hi - lo) * 0.15 + 1; setView(lo - pad, hi + pad); } else drawTimeline();
}

function drawCycle(parent, a) {
  var n = a.txns.length, canvas = add(parent, 'canvas', 'cycle'), H = n <= 2 ? 180 : 260, rects = [];
  function draw() {
    rects.length = 0;
    var c = canvasCtx(canvas, H), ctx = c.ctx, w = c.w, cx = w / 2, cy = H / 2, R = Math.min(H / 2 - 40, w / 3), rad = 22;
    ctx.clearRect(0, 0, w, H);
    var pos = a.txns.map(function (t, i) { var ang = -Math.PI / 2 + 2 * Math.PI * i / n; return [cx + R * Math.cos(ang), cy + R * Math.sin(ang)]; });
    (a.steps || []).forEach(function (s, i) {
      var p = pos[i], q = pos[(i + 1) % n];
      var dx = q[0] - p[0], dy = q[1] - p[1], len = Math.sqrt(dx * dx + dy * dy) || 1, ux = dx / len, uy = dy / len;
      // Bend each edge outward so that a two-transaction cycle shows two arrows.
      var ox = -uy, oy = ux, mx = (p[0] + q[0]) / 2 + ox * 40, my = (p[1] + q[1]) / 2 + oy * 40;
      var sx = p[0] + ux * rad, sy = p[1] + uy * rad, ex = q[0] - ux * rad, ey = q[1] - uy * rad;
      ctx.strokeStyle = '#c62828'; ctx.lineWidth = 1.8; ctx.beginPath(); ctx.moveTo(sx, sy); ctx.quadraticCurveTo(mx, my, ex, ey); ctx.stroke();
      var ax = ex - mx, ay = ey - my, al = Math.sqrt(ax * ax + ay * ay) || 1; ax /= al; ay /= al;
      ctx.fillStyle = '#c62828'; ctx.beginPath(); ctx.moveTo(ex, ey); ctx.lineTo(ex - ax * 10 - ay * 5, ey - ay * 10 + ax * 5); ctx.lineTo(ex - ax * 10 + ay * 5, ey - ay * 10 - ax * 5); ctx.fill();
      var key = s.key !== undefined ? show(s.key) : '';
      var label = s.kind + (key ? ' (key ' + (key.length > 24 ? key.slice(0, 23) + '…' : key) + ')' : ''), lw = ctx.measureText(label).width + 8;
      // The label sits just outside the curve's middle, on the side the curve bends to.
      var lx = (p[0] + q[0]) / 2 + ox * 20 + ox * (lw / 2 + 4) - lw / 2, ly = (p[1] + q[1]) / 2 + oy * 20 + oy * 12 - 8;
      ctx.fillStyle = '#fff'; ctx.fillRect(lx, ly, lw, 16); ctx.strokeStyle = '#c62828'; ctx.lineWidth = 1; ctx.strokeRect(lx, ly, lw, 16);
      ctx.fillStyle = '#1d2329'; ctx.fillText(label, lx + 4, ly + 12);
      rects.push({ x: lx, y: ly, w: lw, h: 16, text: s.from + ' → ' + s.to + ' [' + s.kind + ']' + (key ? ' key ' + key : '') + '\n' + s.why });
    });
    a.txns.forEach(function (t, i) {
      var p = pos[i];
      ctx.fillStyle = '#eef3fb'; ctx.strokeStyle = '#4e79a7'; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(p[0], p[1], rad, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillStyle = '#1d2329'; var tw = ctx.measureText(t.name).width; ctx.fillText(t.name, p[0] - tw / 2, p[1] + 4);
      rects.push({ x: p[0] - rad, y: p[1] - rad, w: 2 * rad, h: 2 * rad, text: t.name + ' — process ' + t.process + ', ' + t.type + '\n' + show(t.value) });
    });
    ctx.lineWidth = 1;
  }
  draw();
  hoverRects(canvas, rects);
  window.addEventListener('resize', draw);
}
function txnSection(c) {
  var shown = c.anomalies.slice(0, 30);
  shown.forEach(function (a, ai) {
    var box = add(lc0, 'div', 'failure');
    box.id = 'anomaly-' + ai;
    add(box, 'h3', null, c.name + ': ' + a.type + (a.key !== undefined ? ' on key ' + show(a.key) : ''));
    if (a.steps && a.steps.length) {
      drawCycle(box, a);
      var ol = add(box, 'ol', 'edge-list');
      a.steps.forEach(function (s) {
        var li = add(ol, 'li');
        li.appendChild(document.createTextNode(s.from + ' → ' + s.to + ' '));
        add(li, 'span', 'kind', s.kind);
        li.appendChild(document.createTextNode((s.key !== undefined ? ' key ' + show(s.key) : '') + ': ' + s.why));
      });
    }
    add(box, 'pre', null, a.explanation);
    table(box, ['txn', 'process', 'outcome', 'micro-ops'], a.txns.map(function (t) { return [t.name, t.process, t.type, show(t.value)]; }), [0, 3]);
  });
  if (c.anomalies.length > shown.length) add(lc0, 'p', null, (c.anomalies.length - shown.length) + ' more anomalies are in results.json.');
}

// ---- counterexamples ----
var lc0 = null;
var interesting = D.checkers.filter(function (c) { return (c.kind === 'linearizability' && c.failures.length) || (c.kind === 'txn' && c.anomalies.length); });
if (interesting.length) {
  lc0 = card('Why: the counterexample');
  lc0.id = 'counterexample';
  interesting.forEach(function (c) { if (c.kind === 'linearizability') linearizabilitySection(c); else txnSection(c); });
  // Move the explanation right under the verdict: it is what a reader needs first.
  app.insertBefore(lc0, vc.nextSibling);
}
var rc = card('Raw checker results');
D.checkers.forEach(function (c) { var d = add(rc, 'details'); add(d, 'summary', null, c.name + ' (' + c.verdict + ')'); add(d, 'pre', null, c.raw); });
if (!D.checkers.length) add(rc, 'p', null, 'No checker results were recorded.');

window.addEventListener('resize', function () { redrawers.forEach(function (f) { f(); }); });
redrawers.forEach(function (f) { f(); });
var firstInvalid = D.checkers.filter(function (c) { return c.kind === 'linearizability'; }).map(function (c) { return c.failures.filter(function (f) { return f.explanation; })[0]; }).filter(Boolean)[0];
// Outline the first counterexample on the timeline, without zooming: the overview comes first.
if (firstInvalid) focusFailure(firstInvalid.explanation, false);
`;
