import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { NEMESIS } from '../../../src/history/event.js';

const s = 1e9;
/** A stale read from a node cut off by an isolate-one partition, after a write on the majority side. */
function staleRead(withPartition: boolean): HistoryEvent[] {
  const partition: HistoryEvent[] = [
    { index: 0, time: 1 * s, process: NEMESIS, type: 'invoke', f: 'start-partition', value: null },
    {
      index: 1,
      time: 1.1 * s,
      process: NEMESIS,
      type: 'info',
      f: 'start-partition',
      value: { fault: 'partition', active: true, targets: ['n2'], details: { shape: 'isolate-one', grudge: { n1: ['n2'], n2: ['n1', 'n3'], n3: ['n2'] } } },
    },
  ];
  const ops: HistoryEvent[] = [
    { index: 2, time: 2 * s, process: 5, type: 'invoke', f: 'write', key: 2, value: 0, node: 'n1' },
    { index: 3, time: 2.1 * s, process: 5, type: 'ok', f: 'write', key: 2, value: 0, node: 'n1' },
    { index: 4, time: 3 * s, process: 14, type: 'invoke', f: 'read', key: 2, value: null, node: 'n2' },
    { index: 5, time: 3.1 * s, process: 14, type: 'ok', f: 'read', key: 2, value: null, node: 'n2' },
  ];
  return withPartition ? [...partition, ...ops] : ops;
}

describe('why sentence', () => {
  it('names the value (null too), process, node, index, the partition in effect and the last completed write', async () => {
    const r = await checkLinearizability(staleRead(true), { model: 'cas-register', workers: 0 });
    assert.equal(r.verdict, 'invalid');
    const sentence = r.partitions[0]?.sentence ?? '';
    assert.match(sentence, /^p14 read null from n2 \(key 2\) at 3\.10 s \(history index 5\)/);
    assert.match(sentence, /while partition isolate-one \(n2 \| n1 n3\) was in effect \(since 1\.10 s\)/);
    assert.match(sentence, /last write to key 2 that had completed before it began was write 0 by p5 on n1 at 2\.10 s \(history index 3\)/);
  });

  it('says when no fault was in effect, and valid keys get no sentence', async () => {
    const r = await checkLinearizability(staleRead(false), { model: 'cas-register', workers: 0 });
    assert.match(r.partitions[0]?.sentence ?? '', /with no fault in effect/);
    const ok = staleRead(false).slice(0, 2);
    const v = await checkLinearizability(ok, { model: 'cas-register', workers: 0 });
    assert.equal(v.verdict, 'valid');
    assert.equal(v.partitions[0]?.sentence, undefined);
  });
});
