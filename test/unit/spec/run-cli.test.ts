import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliInProcess } from '../../helpers/run-cli.js';
import { countByFunction, faultLog } from '../../../src/execute/summary.js';
import type { HistoryEvent } from '../../../src/history/event.js';

describe('faultline run: refused before anything starts', () => {
  for (const [args, message] of [
    [['--system', 'etcd', '--workload', 'lock', '--read-mode', 'stale'], /read mode "stale" is unknown for etcd/],
    [['--system', 'etcd', '--workload', 'quue'], /--workload: unknown workload "quue"/],
    [['--system', 'etcd', '--workload', 'regster'], /--workload: unknown workload "regster" \(did you mean "register"\?\)/],
    [['--system', 'etcd', '--workload', 'register', '--time-limit', '-2'], /--time-limit \(seconds\): /],
    [['--system', 'etcd', '--workload', 'register', '--redis-wait', '1'], /--redis-wait applies to redis, not etcd/],
    [['--system', 'etcd', '--workload', 'register', '--nodes', '3', '--partition', 'majorities-ring'], /--partition: majorities-ring needs at least 4 nodes/],
    [['--system', 'etcd', '--workload', 'register', '--routing', 'closest'], /--routing: unknown routing "closest"/],
    [['--system', 'etcd', '--workload', 'register', '--time-limit', 'soon'], /--time-limit must be a number/],
    [['--workload', 'register'], /--system and --workload are required/],
    [['--replay', '/nonexistent/run'], /--replay: cannot read \/nonexistent\/run\/test.json/],
  ] as const) {
    it(`${args.join(' ')} → exit 3`, async () => {
      const { code, err } = await runCliInProcess(['run', ...args, '--seed', '1', '--store', '/nonexistent/never-created']);
      assert.equal(code, 3);
      assert.match(err, message);
    });
  }
});

describe('results.json counts', () => {
  const e = (index: number, process: HistoryEvent['process'], type: HistoryEvent['type'], f: string, value: HistoryEvent['value'] = null): HistoryEvent => ({ index, time: index * 1e6, process, type, f, value });
  const history = [
    e(0, 0, 'invoke', 'read'), e(1, 'nemesis', 'invoke', 'start-partition', 'halves'), e(2, 0, 'ok', 'read', 3),
    e(3, 'nemesis', 'info', 'start-partition', { fault: 'partition', active: true, targets: ['n1'] }), e(4, 1, 'invoke', 'write', 1), e(5, 1, 'info', 'write', 1),
  ];
  it('counts client completions by function and outcome, and lists the faults', () => {
    assert.deepEqual(countByFunction(history), { read: { ok: 1, fail: 0, info: 0 }, write: { ok: 0, fail: 0, info: 1 } });
    assert.deepEqual(faultLog(history), [{ atMs: 3, f: 'start-partition', value: { fault: 'partition', active: true, targets: ['n1'] } }]);
  });
});
