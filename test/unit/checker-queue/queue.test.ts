import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';
import { checkQueue } from '../../../src/checker/queue/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';

type Step = { f: 'enqueue' | 'dequeue'; outcome: 'ok' | 'fail' | 'info-applied' | 'info-not-applied' };

/**
 * A correct FIFO queue run sequentially: each step is applied or not as its outcome says
 * (`info` either way), then a final drain. Its history is what a correct system records.
 */
function simulate(steps: readonly Step[], drainOutcome: 'ok' | 'info-applied' = 'ok'): { events: HistoryEvent[]; drained: Json[] } {
  const queue: number[] = [];
  const events: HistoryEvent[] = [];
  let next = 0;
  let t = 0;
  const record = (process: number, f: string, input: Json, type: HistoryEvent['type'], output: Json): void => {
    events.push({ index: events.length, time: (t += 10), process, type: 'invoke', f, value: input });
    events.push({ index: events.length, time: (t += 10), process, type, f, value: type === 'ok' ? output : input });
  };
  steps.forEach((s, i) => {
    const applied = s.outcome === 'ok' || s.outcome === 'info-applied';
    const type = s.outcome === 'ok' ? 'ok' : s.outcome === 'fail' ? 'fail' : 'info';
    if (s.f === 'enqueue') {
      const v = next++;
      if (applied) queue.push(v);
      record(i, 'enqueue', v, type, v);
    } else {
      const head = applied ? (queue.shift() ?? null) : null;
      record(i, 'dequeue', null, type, head);
    }
  });
  const drained = [...queue];
  record(steps.length, 'drain', null, drainOutcome === 'ok' ? 'ok' : 'info', drained);
  if (drainOutcome !== 'ok') record(steps.length + 1, 'drain', null, 'ok', []);
  return { events, drained };
}

const step = fc.record({
  f: fc.constantFrom('enqueue' as const, 'dequeue' as const),
  outcome: fc.constantFrom('ok' as const, 'fail' as const, 'info-applied' as const, 'info-not-applied' as const),
});

const check = (events: HistoryEvent[]) => checkQueue(pairHistory(events).ops);

describe('queue checker', () => {
  it('never calls a correct queue invalid, whatever the outcomes (no false alarm)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.constantFrom('ok' as const, 'info-applied' as const), (steps, drain) => {
        const r = check(simulate(steps, drain).events);
        assert.notEqual(r.verdict, 'invalid', r.explanation);
        if (drain === 'ok') assert.equal(r.verdict, 'valid', r.explanation);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds an acknowledged element dropped, an element out twice, or one never enqueued (no miss)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.nat(), fc.constantFrom('drop', 'duplicate', 'invent'), (steps, pick, fault) => {
        const okSteps = steps.map((s) => (s.outcome.startsWith('info') ? { ...s, outcome: 'ok' as const } : s));
        const { events, drained } = simulate(okSteps);
        const drain = events.at(-1)!;
        if (fault === 'drop') {
          fc.pre(drained.length > 0);
          drain.value = drained.filter((_, i) => i !== pick % drained.length);
        } else if (fault === 'duplicate') {
          const out = events.filter((e) => e.type === 'ok' && e.f === 'dequeue' && e.value !== null).map((e) => e.value);
          fc.pre(out.length + drained.length > 0);
          const all = [...out, ...drained];
          drain.value = [...drained, all[pick % all.length]!];
        } else {
          drain.value = [...drained, 'never-enqueued'];
        }
        assert.equal(check(events).verdict, 'invalid');
      }),
      { numRuns: 1000 },
    );
  });

  it('a loss within what dequeues of unknown outcome could take is not a loss; beyond it, it is', () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 1 },
      { index: 1, time: 2, process: 0, type: 'ok', f: 'enqueue', value: 1 },
      { index: 2, time: 3, process: 1, type: 'invoke', f: 'enqueue', value: 2 },
      { index: 3, time: 4, process: 1, type: 'ok', f: 'enqueue', value: 2 },
      { index: 4, time: 5, process: 2, type: 'invoke', f: 'dequeue', value: null },
      { index: 5, time: 6, process: 2, type: 'info', f: 'dequeue', value: null },
      { index: 6, time: 7, process: 3, type: 'invoke', f: 'drain', value: null },
      { index: 7, time: 8, process: 3, type: 'ok', f: 'drain', value: [2] },
    ];
    const r = check(events);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.possiblyTaken, 1);
    events[7]!.value = [];
    const lost = check(events);
    assert.equal(lost.verdict, 'invalid');
    assert.match(lost.explanation, /2 acknowledged enqueues never came out \(1, 2\), more than the 1 dequeues of unknown outcome/);
  });
});

describe('faultline check --workload queue|set|counter', () => {
  it('runs the workload\'s checkers on a stored history and exits by verdict', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-wl-'));
    const queue = join(dir, 'queue.jsonl');
    await writeFile(queue, simulate([{ f: 'enqueue', outcome: 'ok' }, { f: 'dequeue', outcome: 'info-applied' }]).events.map((e) => JSON.stringify(e)).join('\n'));
    assert.equal((await runCli('check', queue, '--workload', 'queue')).code, ExitCode.Valid);
    const set = join(dir, 'set.edn');
    await writeFile(set, '{:process 0 :type :invoke :f :add :value 1}\n{:process 0 :type :ok :f :add :value 1}\n{:process 2 :type :invoke :f :read :value nil}\n{:process 2 :type :ok :f :read :value #{}}\n');
    const r = await runCli('check', set, '--workload', 'set', '--json');
    assert.equal(r.code, ExitCode.Invalid);
    assert.deepEqual((JSON.parse(r.out) as { checkers: { checker: string }[] }).checkers.map((c) => c.checker), ['set', 'set-reads']);
    const counter = join(dir, 'counter.jsonl');
    await writeFile(counter, '{"process":0,"type":"invoke","f":"add","value":2}\n{"process":0,"type":"ok","f":"add","value":2}\n{"process":1,"type":"invoke","f":"read","value":null}\n{"process":1,"type":"ok","f":"read","value":5}\n');
    assert.equal((await runCli('check', counter, '--workload', 'counter')).code, ExitCode.Invalid);
  });
});
