import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCampaignIndex } from '../../../src/campaign/index-page.js';
import type { TestOutcome } from '../../../src/output/index.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

test('the campaign index escapes values and links each report relative to the campaign directory', () => {
  const outcomes: TestOutcome[] = [
    { name: 'etcd-a', status: 'checked', verdict: 'invalid', checkers: [{ checker: 'linearizable', verdict: 'invalid', details: {} }], runDir: '/s/etcd-a/20261122T000000.000Z', durationMs: 30_000, warnings: [] },
    { name: 'zk b', status: 'error', verdict: 'unknown', checkers: [], durationMs: 1_000, error: HOSTILE, warnings: [] },
    { name: 'c', status: 'not-run', verdict: 'unknown', checkers: [], durationMs: 0, warnings: [] },
  ];
  const html = renderCampaignIndex(`t ${HOSTILE}`, '/s/campaigns/q/20261122T000000.000Z', outcomes);
  assert.ok(!html.includes('<img'), 'no markup from values');
  assert.ok(html.includes('&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;'), 'the value shows as text');
  assert.ok(html.includes('href="../../../etcd-a/20261122T000000.000Z/report.html"'));
  assert.match(html, /INVALID<\/span> · exit code 1/, 'the overall verdict and exit code are shown');
  assert.match(html, /unknown \(no verdict\)/);
  assert.match(html, /not run/);
  assert.ok(!/<script/i.test(html));
});
