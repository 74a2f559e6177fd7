import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkerReport } from '../../../src/report/checkers.js';
import type { Json } from '../../../src/history/event.js';
import { counterWorkload } from '../../../workloads/counter.js';
import { setWorkload } from '../../../workloads/set.js';
import { sequentialEvents } from '../checker-set/history.js';

describe('report: set and counter checker results', () => {
  it('a lost element reads as a violation with the count, in the checker\'s own words', async () => {
    const history = sequentialEvents([['add', 1], ['add', 2], ['final-read', null, [1]]]);
    const [set, reads] = await setWorkload.check(history, { opsPerKey: 1, threadsPerKey: 1, opIntervalMs: 0, lockTtlMs: 1, checkTimeLimitMs: 1000 });
    const report = checkerReport(set as unknown as Json);
    assert.equal(report.verdict, 'invalid');
    assert.match(report.sentence, /^set \(violation\): 1 \(2\) of 2 acknowledged adds are missing from the final read/);
    // The final read is a read too: missing an acknowledged element breaks real time as well.
    assert.match(checkerReport(reads as unknown as Json).sentence, /^set-reads \(violation\): 1 of 1 reads cannot be explained/);
  });

  it('a counter read outside its bounds names the read and the bounds', async () => {
    const history = sequentialEvents([['add', 2], ['read', null, 5]]);
    const [counter] = await counterWorkload.check(history, { opsPerKey: 1, threadsPerKey: 1, opIntervalMs: 0, lockTtlMs: 1, checkTimeLimitMs: 1000 });
    const report = checkerReport(counter as unknown as Json);
    assert.equal(report.verdict, 'invalid');
    assert.match(report.sentence, /returned 5, above 2/);
  });
});
