import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { simulate } from '../../../src/generator/simulate.js';
import { RandomStreams } from '../../../src/generator/random.js';
import { recordedSchedule, replaySchedule, scheduleKinds } from '../../../nemesis/replay.js';
import { parseTargetSpec, selectTargets } from '../../../nemesis/targets.js';

let index = 0;
const nem = (ms: number, type: 'invoke' | 'info', f: string, value: Json, error?: string): HistoryEvent => ({
  index: index++,
  time: ms * 1e6,
  process: 'nemesis',
  type,
  f,
  value,
  ...(error === undefined ? {} : { error }),
});

const history: HistoryEvent[] = [
  nem(1000, 'invoke', 'start-partition', 'isolate-one'),
  nem(1010, 'info', 'start-partition', { fault: 'partition', active: true, targets: ['n1', 'n2', 'n3'], details: { shape: 'isolate-one', grudge: { n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] } } }),
  nem(2000, 'invoke', 'start-kill', 'one'),
  nem(2050, 'info', 'start-kill', { fault: 'kill', active: true, targets: ['n3'], details: { signal: 'SIGKILL', spec: 'one' } }),
  nem(3000, 'invoke', 'start-clock', { mode: 'bump', offsetMs: 5000, targets: 'one' }),
  nem(3001, 'info', 'start-clock', { fault: 'clock', active: false, targets: ['n1'], details: { applied: false, reason: 'Go' } }),
  nem(4000, 'invoke', 'stop-clock', null),
  nem(4001, 'info', 'stop-clock', { fault: 'clock', active: false, targets: ['n1', 'n2', 'n3'] }),
  nem(5000, 'invoke', 'stop-partition', null),
  nem(5010, 'info', 'stop-partition', { fault: 'partition', active: false, targets: ['n1', 'n2', 'n3'] }),
  nem(6000, 'invoke', 'start-pause', 'leader'),
  nem(6001, 'info', 'start-pause', 'leader', 'no leader known'),
  nem(7000, 'invoke', 'heal-all', null),
  nem(7100, 'info', 'heal-all', [{ fault: 'kill', active: false, targets: ['n1', 'n2', 'n3'] }]),
];

describe('replaying a recorded fault schedule', () => {
  it('keeps what was applied, with the concrete nodes and grudges, and drops what was not', () => {
    assert.deepEqual(recordedSchedule(history), [
      { atMs: 1000, f: 'start-partition', value: { shape: 'isolate-one', grudge: { n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] } } },
      { atMs: 2000, f: 'start-kill', value: 'nodes:n3' },
      { atMs: 5000, f: 'stop-partition', value: null },
    ]);
    assert.deepEqual(scheduleKinds(recordedSchedule(history)), ['partition', 'kill']);
  });

  it('explicit targets name the same nodes, whatever the random stream says', () => {
    const rng = new RandomStreams(1).stream('faults');
    assert.deepEqual(selectTargets(parseTargetSpec('nodes:n3,n1'), ['n1', 'n2', 'n3'], rng), ['n1', 'n3']);
  });

  it('emits each step at its recorded time, then nothing more', () => {
    const schedule = recordedSchedule(history);
    const events = simulate(replaySchedule(schedule), { concurrency: 0, seed: 1, nemesis: true, latencyMs: () => 5, maxTimeMs: 20_000, outcome: () => ({ type: 'info', value: null }) });
    const invokes = events.filter((e) => e.type === 'invoke');
    assert.deepEqual(invokes.map((e) => [e.f, Math.round(e.time / 1e6)]), [['start-partition', 1000], ['start-kill', 2000], ['stop-partition', 5000]]);
  });
});
