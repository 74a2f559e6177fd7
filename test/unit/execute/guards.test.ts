import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../../src/history/event.js';
import { decideVerdict, emptyPassReasons } from '../../../src/execute/guards.js';

const op = (index: number, process: number, type: HistoryEvent['type']): HistoryEvent => ({ index, time: index, process, type, f: 'read', value: null });
const nemesis = (index: number, f: string, value: HistoryEvent['value']): HistoryEvent => ({ index, time: index, process: 'nemesis', type: 'info', f, value });

function okOps(n: number): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (let i = 0; i < n; i++) out.push(op(2 * i, 0, 'invoke'), op(2 * i + 1, 0, 'ok'));
  return out;
}

describe('guards against empty passes', () => {
  it('too few ok operations', () => {
    assert.deepEqual(emptyPassReasons(okOps(49), { minOk: 50, faults: [] }), ['only 49 of 49 client operations succeeded, fewer than the 50 a verdict needs (--min-ok)']);
    assert.deepEqual(emptyPassReasons(okOps(50), { minOk: 50, faults: [] }), []);
    assert.deepEqual(emptyPassReasons([], { minOk: 0, faults: [] }), []);
  });

  it('a fault asked for but never applied, with the reason the nemesis gave', () => {
    const history = [
      ...okOps(60),
      nemesis(200, 'start-clock', { fault: 'clock', active: false, targets: ['n1'], details: { applied: false, reason: 'the Go runtime ignores libfaketime' } }),
      nemesis(201, 'start-kill', { fault: 'kill', active: true, targets: ['n2'] }),
    ];
    assert.deepEqual(emptyPassReasons(history, { minOk: 50, faults: ['kill', 'clock', 'partition'] }), [
      'the clock fault was asked for but never applied (the Go runtime ignores libfaketime)',
      'the partition fault was asked for but never applied',
    ]);
  });

  it('decides: an anomaly stands; valid needs a finished run that proved something', () => {
    const done = { normal: true } as const;
    assert.deepEqual(decideVerdict(['valid', 'valid'], done, []), { verdict: 'valid', reasons: [] });
    assert.deepEqual(decideVerdict(['valid', 'invalid'], { normal: false, why: 'it was interrupted' }, ['x']), { verdict: 'invalid', reasons: [] });
    assert.deepEqual(decideVerdict(['valid'], { normal: false, why: 'faultline crashed (boom)' }, []), { verdict: 'unknown', reasons: ['the run did not finish: faultline crashed (boom)'] });
    assert.deepEqual(decideVerdict(['valid'], done, ['only 3 of 9 client operations succeeded']), { verdict: 'unknown', reasons: ['only 3 of 9 client operations succeeded'] });
    assert.deepEqual(decideVerdict([], done, []), { verdict: 'unknown', reasons: ['no checker ran'] });
    assert.equal(decideVerdict(['unknown', 'valid'], done, []).verdict, 'unknown');
  });
});
