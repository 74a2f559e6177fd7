import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';
import { checkQueue, checkStreamQueue } from '../../../src/checker/queue/index.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';

type Outcome = 'ok' | 'fail' | 'info-none' | 'info-read' | 'info-acked';
type Step = { f: 'enqueue' | 'dequeue' | 'claim'; ack: boolean; outcome: Outcome; gap: number };

const MIN_IDLE = 100;

/**
 * A correct Redis stream with one consumer group, run one operation at a time: entries with
 * increasing ids, a group cursor, a pending list with delivery times. `info-none`: nothing
 * happened; `info-read`: the read happened, the reply was lost (the entries stay pending);
 * `info-acked`: read and acked, reply lost (gone unseen). A final drain claims the rest.
 */
function simulate(steps: readonly Step[]): HistoryEvent[] {
  const entries: { id: string; value: number }[] = [];
  let cursor = 0;
  const pending = new Map<string, { value: number; since: number }>();
  const events: HistoryEvent[] = [];
  let t = 0;
  let next = 0;
  const record = (process: number, f: string, input: Json, type: HistoryEvent['type'], output: Json): void => {
    events.push({ index: events.length, time: (t += 10), process, type: 'invoke', f, value: input });
    events.push({ index: events.length, time: (t += 10), process, type, f, value: type === 'ok' ? output : input });
  };
  const deliver = (got: { id: string; value: number }[], via: 'new' | 'claimed', ack: boolean, outcome: Outcome): Json[] => {
    for (const e of got) pending.set(e.id, { value: e.value, since: t });
    const acked = outcome === 'info-acked' || (outcome === 'ok' && ack);
    if (acked) for (const e of got) pending.delete(e.id);
    return got.map((e) => ({ id: e.id, value: e.value, acked: outcome === 'ok' ? ack : null, via }));
  };
  steps.forEach((s, i) => {
    t += s.gap;
    const type = s.outcome === 'ok' ? 'ok' : s.outcome === 'fail' ? 'fail' : 'info';
    const applied = s.outcome !== 'fail' && s.outcome !== 'info-none';
    if (s.f === 'enqueue') {
      const v = next++;
      const id = `${t}-${i}`;
      if (applied) entries.push({ id, value: v });
      record(i, 'enqueue', v, type, id);
    } else if (s.f === 'dequeue') {
      const got = applied && cursor < entries.length ? [entries[cursor++]!] : [];
      const out = deliver(got, 'new', s.ack, s.outcome);
      record(i, 'dequeue', { ack: s.ack }, type, out[0] ?? null);
    } else {
      const got = applied ? [...pending].filter(([, p]) => t - p.since >= MIN_IDLE).slice(0, 2).map(([id, p]) => ({ id, value: p.value })) : [];
      record(i, 'claim', { minIdleMs: MIN_IDLE, count: 2, ack: s.ack }, type, deliver(got, 'claimed', s.ack, s.outcome));
    }
  });
  const rest = [...[...pending].map(([id, p]) => ({ id, value: p.value, acked: true, via: 'claimed' })), ...entries.slice(cursor).map((e) => ({ ...e, acked: true, via: 'new' }))];
  record(steps.length, 'drain', null, 'ok', rest);
  return events;
}

const step = fc.record({
  f: fc.constantFrom('enqueue' as const, 'dequeue' as const, 'claim' as const),
  ack: fc.boolean(),
  outcome: fc.constantFrom<Outcome>('ok', 'ok', 'fail', 'info-none', 'info-read', 'info-acked'),
  gap: fc.nat({ max: 80 }),
});

const check = (events: HistoryEvent[]) => checkStreamQueue(pairHistory(events).ops);

function deliveriesIn(events: HistoryEvent[]): { event: HistoryEvent; d: { id: string; value: Json; acked: boolean | null; via: string } }[] {
  return events.flatMap((e) => (e.type !== 'ok' || e.f === 'enqueue' || e.value === null ? [] : (Array.isArray(e.value) ? e.value : [e.value]).map((d) => ({ event: e, d: d as { id: string; value: Json; acked: boolean | null; via: string } }))));
}

describe('stream queue checker (at-least-once)', () => {
  it('never calls a correct stream with crashed consumers and claims invalid (no false alarm)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const events = simulate(steps);
        const r = check(events);
        assert.equal(r.verdict, 'valid', r.explanation);
        // And `check --workload queue` picks the stream semantics by itself.
        if (deliveriesIn(events).length > 0) assert.equal(checkQueue(pairHistory(events).ops).verdict, 'valid');
      }),
      { numRuns: 1000 },
    );
  });

  it('finds an acknowledged entry lost, a delivery after an acknowledgement, an invented element (no miss)', () => {
    const known = step.filter((s) => s.outcome !== 'info-acked' && s.outcome !== 'info-read' && s.outcome !== 'info-none');
    fc.assert(
      fc.property(fc.array(known, { minLength: 1, maxLength: 40 }), fc.nat(), fc.constantFrom('lose', 'duplicate', 'invent'), (steps, pick, fault) => {
        const events = simulate(steps);
        const drain = events.at(-1)!;
        const all = deliveriesIn(events);
        if (fault === 'lose') {
          // Every delivery of one acknowledged enqueue's element erased (the simulation runs one operation at a time: its invocation is the event before).
          const okEnqueues = events.filter((e) => e.type === 'ok' && e.f === 'enqueue').map((e) => events[e.index - 1]!.value);
          fc.pre(okEnqueues.length > 0);
          const gone = okEnqueues[pick % okEnqueues.length]!;
          for (const e of events) {
            if (e.type !== 'ok' || e.f === 'enqueue' || e.value === null) continue;
            if (Array.isArray(e.value)) e.value = e.value.filter((d) => (d as { value: Json }).value !== gone);
            else if ((e.value as { value: Json }).value === gone) e.value = null;
          }
        } else if (fault === 'duplicate') {
          const acked = all.filter((x) => x.d.acked === true);
          fc.pre(acked.length > 0);
          const x = acked[pick % acked.length]!;
          // Delivered again by a claim that begins after the acknowledging operation completed.
          const again: HistoryEvent[] = [
            { index: 0, time: x.event.time + 1, process: 900, type: 'invoke', f: 'claim', value: { minIdleMs: MIN_IDLE, count: 1, ack: true } },
            { index: 0, time: x.event.time + 2, process: 900, type: 'ok', f: 'claim', value: [{ ...x.d, via: 'claimed' }] },
          ];
          events.splice(events.indexOf(x.event) + 1, 0, ...again);
          events.forEach((e, i) => (e.index = i));
        } else {
          drain.value = [...(drain.value as Json[]), { id: '999999-0', value: 'never-enqueued', acked: true, via: 'new' }];
        }
        const r = check(events);
        assert.equal(r.verdict, 'invalid', r.explanation);
      }),
      { numRuns: 1000 },
    );
  });

  it('a redelivery that overlaps the acknowledging operation is allowed; one after it is a duplicate', () => {
    const d = { id: '5-0', value: 0, via: 'new' };
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 0 },
      { index: 1, time: 2, process: 0, type: 'ok', f: 'enqueue', value: '5-0' },
      { index: 2, time: 3, process: 1, type: 'invoke', f: 'dequeue', value: { ack: true } },
      { index: 3, time: 4, process: 2, type: 'invoke', f: 'claim', value: { minIdleMs: 1, count: 1, ack: true } },
      { index: 4, time: 5, process: 2, type: 'ok', f: 'claim', value: [{ ...d, acked: false, via: 'claimed' }] },
      { index: 5, time: 6, process: 1, type: 'ok', f: 'dequeue', value: { ...d, acked: true } },
      { index: 6, time: 7, process: 3, type: 'invoke', f: 'drain', value: null },
      { index: 7, time: 8, process: 3, type: 'ok', f: 'drain', value: [] },
    ];
    const ok = check(events);
    assert.equal(ok.verdict, 'valid', ok.explanation);
    assert.equal(ok.redelivered, 1);
    events[7]!.value = [{ ...d, acked: true, via: 'claimed' }];
    const dup = check(events);
    assert.equal(dup.verdict, 'invalid');
    assert.match(dup.explanation, /1 elements were delivered again after their delivery had been acknowledged \(0; e\.g\. 0 acked by the operation completing at history index 5, redelivered by the one completing at 7\)/);
  });

  it('entry ids against real time: a later enqueue or new-entry read with a smaller id is out of order', () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'enqueue', value: 0 },
      { index: 1, time: 2, process: 0, type: 'ok', f: 'enqueue', value: '10-0' },
      { index: 2, time: 3, process: 0, type: 'invoke', f: 'enqueue', value: 1 },
      { index: 3, time: 4, process: 0, type: 'ok', f: 'enqueue', value: '9-0' },
      { index: 4, time: 5, process: 3, type: 'invoke', f: 'drain', value: null },
      {
        index: 5,
        time: 6,
        process: 3,
        type: 'ok',
        f: 'drain',
        value: [
          { id: '9-0', value: 1, acked: true, via: 'new' },
          { id: '10-0', value: 0, acked: true, via: 'new' },
        ],
      },
    ];
    const r = check(events);
    assert.equal(r.verdict, 'invalid');
    assert.match(r.explanation, /the enqueue completing at history index 1 got 10-0, the one invoked later at 2 got 9-0/);
    events[3]!.value = '11-0';
    events[5]!.value = [
      { id: '10-0', value: 0, acked: true, via: 'new' },
      { id: '11-0', value: 1, acked: true, via: 'new' },
    ];
    assert.equal(check(events).verdict, 'valid');
    // Delivered under an id its enqueue did not get: not the entry that was enqueued.
    (events[5]!.value as { id: string }[])[1]!.id = '12-0';
    assert.match(check(events).explanation, /delivered that nobody enqueued, or under another entry id \(1\)/);
  });
});

describe('faultline check --workload queue|stream-queue on a stream history', () => {
  it('checks at-least-once, and a malformed delivery is a one-line input error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-stream-'));
    const file = join(dir, 'stream.jsonl');
    const events = simulate([
      { f: 'enqueue', ack: true, outcome: 'ok', gap: 0 },
      { f: 'dequeue', ack: false, outcome: 'ok', gap: 0 },
      { f: 'claim', ack: true, outcome: 'ok', gap: 200 },
    ]);
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n'));
    for (const name of ['queue', 'stream-queue']) {
      const r = await runCli('check', file, '--workload', name, '--json');
      assert.equal(r.code, ExitCode.Valid, r.out + r.err);
      assert.match(r.out, /at-least-once/);
    }
    events[3]!.value = [{ id: '1-0' }];
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const bad = await runCli('check', file, '--workload', 'stream-queue');
    assert.equal(bad.code, ExitCode.Usage);
    assert.match(bad.err, /event 3: dequeue returned \[\{"id":"1-0"\}\], not stream deliveries/);
    assert.doesNotMatch(bad.err, /\n\s+at /);
  });
});
