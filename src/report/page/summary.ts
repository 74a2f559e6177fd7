/**
 * The report page's header: the verdict in words, each checker's sentence, the run's
 * settings, operation counts by function and node, and the fault intervals.
 * Plain ES2017 run inside the page's one function scope (see ../client-script.ts).
 */
export const SUMMARY = String.raw`
// ---- header and verdict ----
document.title = D.name + ' — ' + D.verdict + ' — faultline';
add(app, 'h1', null, D.name);
add(app, 'div', 'sub', (D.startedAt ? 'started ' + D.startedAt + ' · ' : '') + N + ' operations · report by faultline ' + D.faultlineVersion);
var VERDICT_WORDS = {
  valid: 'VALID — no anomaly found',
  invalid: 'INVALID — an anomaly was found',
  unknown: 'UNKNOWN — not checked to the end; do not treat as a pass'
};
var vc = card(null);
vc.className = 'card verdict ' + D.verdict;
vc.id = 'verdict';
add(vc, 'div', 'big', VERDICT_WORDS[D.verdict] || D.verdict);
if (D.verdictReason) add(vc, 'p', null, D.verdictReason);
D.checkers.forEach(function (c) {
  var p = add(vc, 'div', 'checker');
  add(p, 'span', 'pill ' + c.verdict, c.verdict);
  add(p, 'b', null, c.name + ': ');
  add(p, 'span', null, c.sentence);
});
if (D.problems.length) { var ul = add(vc, 'ul', 'problems'); D.problems.forEach(function (p) { add(ul, 'li', null, p); }); }

// ---- summary ----
var sc = card('Run');
var grid = add(sc, 'div', 'grid');
var S = D.summary;
kv(grid, [
  ['system', S.system], ['versions', Object.keys(S.versions).map(function (k) { return k + ' ' + S.versions[k]; }).join('; ')],
  ['nodes', S.nodes.join(', ')], ['workload', S.workload], ['nemesis', S.nemesis.length ? S.nemesis.join(', ') : 'none']
]);
kv(grid, [
  ['seed', S.seed], ['duration', fmtDuration(S.durationMs)], ['stopped by', S.stopReason],
  ['operations', D.counts.total.ok + ' ok, ' + D.counts.total.fail + ' fail, ' + D.counts.total.info + ' info'],
  ['faults', D.faults.length ? D.faults.length + ' interval' + (D.faults.length === 1 ? '' : 's') : 'none']
]);
if (S.settings.length) { var det = add(sc, 'details'); add(det, 'summary', null, 'All settings'); kv(det, S.settings); }
var tabs = add(sc, 'div', 'tables');
function countRows(obj) {
  return Object.keys(obj).sort().map(function (k) { var c = obj[k]; return [k, c.ok, c.fail, c.info, c.ok + c.fail + c.info]; });
}
var t1 = add(tabs, 'div'); add(t1, 'h3', null, 'By function');
table(t1, ['f', 'ok', 'fail', 'info', 'total'], countRows(D.counts.byFunction), [0]);
var t2 = add(tabs, 'div'); add(t2, 'h3', null, 'By node');
table(t2, ['node', 'ok', 'fail', 'info', 'total'], countRows(D.counts.byNode), [0]);
if (D.faults.length) {
  var t3 = add(tabs, 'div'); add(t3, 'h3', null, 'Faults');
  table(t3, ['fault', 'from', 'to', 'targets'], D.faults.map(function (f) { return [f.fault, fmtMs(f.startMs), f.open ? 'end (never healed)' : fmtMs(f.endMs), f.targets]; }), [0, 3]);
}
`;
