import { BASE } from './page/base.js';
import { CHARTS } from './page/charts.js';
import { SUMMARY } from './page/summary.js';
import { WHY } from './page/why.js';

/**
 * The report page's script, inlined into every report. Plain ES2017 for any browser, no
 * library: three canvases (timeline, latency, throughput) sharing one time window, and
 * the counterexample drawings. Data comes only from the JSON block and reaches the page
 * through `textContent` and canvas text — never through markup — so a value cannot
 * become HTML. The parts are written with `String.raw` so that their backslashes reach
 * the browser as written; they share one function scope, in this order.
 */
export const CLIENT_SCRIPT = ['(function () {', BASE, SUMMARY, CHARTS, WHY, '})();'].join('\n');
