import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import { MODELS } from '../../../src/checker/linearizability/models/index.js';
import { STREAM_OP, settleFromStream } from '../../../src/checker/watch/settle.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import { bruteForceLinearizable } from '../linearizability/reference.js';

const model = MODELS.get('cas-register')!;

/** Events from ops given with times (each op its own process), ordered by time (invokes first on ties). */
function eventsOf(ops: readonly { f: string; input: Json; output: Json; type: 'ok' | 'fail' | 'info'; call: number; ret: number }[]): HistoryEvent[] {
  const raw: { time: number; order: number; e: Omit<HistoryEvent, 'index'> }[] = [];
  ops.forEach((o, p) => {
    raw.push({ time: o.call, order: 0, e: { time: o.call, process: p, type: 'invoke', f: o.f, key: 'x', value: o.input } });
    raw.push({ time: o.ret, order: 1, e: { time: o.ret, process: p, type: o.type, f: o.f, key: 'x', value: o.type === 'ok' ? o.output : o.input } });
  });
  raw.sort((a, b) => a.time - b.time || a.order - b.order);
  return raw.map((r, index) => ({ index, ...r.e }) as HistoryEvent);
}

/** The definition with outside knowledge: bounded info ops are ok ops returning at their bound; those that did not happen are gone. */
function bruteSettled(ops: readonly Operation[], happenedBy: ReadonlyMap<number, number>, didNot: ReadonlySet<number>): boolean {
  const settled = ops
    .filter((o) => !(o.type === 'info' && didNot.has(o.id)))
    .map((o) => {
      const by = o.type === 'info' ? happenedBy.get(o.id) : undefined;
      return by === undefined || by < o.call ? o : { ...o, type: 'ok' as const, ret: by, output: o.input };
    });
  return bruteForceLinearizable(model, undefined, settled.filter((o) => o.type !== 'fail'));
}

describe('the linearizability checker with outside knowledge of info ops (settled)', () => {
  const op = fc.record({
    kind: fc.constantFrom('read', 'write', 'cas'),
    a: fc.integer({ min: 0, max: 2 }),
    b: fc.integer({ min: 0, max: 2 }),
    call: fc.integer({ min: 0, max: 20 }),
    len: fc.integer({ min: 0, max: 8 }),
    outcome: fc.constantFrom('ok', 'ok', 'info', 'info', 'fail'),
    fate: fc.constantFrom('none', 'happened', 'not'),
    byAfter: fc.integer({ min: 0, max: 10 }),
  });
  it('agrees with the brute-force definition on every small history', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 7 }), async (spec) => {
        const ops = spec.map((s) => {
          const input: Json = s.kind === 'read' ? null : s.kind === 'write' ? s.a : [s.a, s.b];
          const output: Json = s.kind === 'read' ? (s.b === 0 ? null : s.b) : input;
          const type = s.kind === 'read' && s.outcome === 'info' ? 'ok' : (s.outcome as 'ok' | 'info' | 'fail');
          return { f: s.kind, input, output, type, call: s.call, ret: s.call + s.len };
        });
        const { ops: paired } = pairHistory(eventsOf(ops));
        const happenedBy = new Map<number, number>();
        const didNot = new Set<number>();
        paired.forEach((o) => {
          const s = spec[o.process]!;
          if (o.type !== 'info' || o.f === 'read') return;
          if (s.fate === 'happened') happenedBy.set(o.id, o.call + s.byAfter);
          if (s.fate === 'not') didNot.add(o.id);
        });
        const expected = bruteSettled(paired, happenedBy, didNot);
        const r = await checkLinearizability(eventsOf(ops), { model: 'cas-register', workers: 0, settled: { happenedBy, didNotHappen: didNot } });
        assert.equal(r.verdict, expected ? 'valid' : 'invalid', JSON.stringify({ ops, happened: [...happenedBy], didNot: [...didNot] }));
      }),
      { numRuns: 1500 },
    );
  });
});

/**
 * A correct register with a change stream, in real time: each op that takes effect does so at
 * one instant (an ok op within its call and return, an info one at or after its call, maybe
 * after everything), reads return the state at theirs, the stream numbers changes in effect
 * order and a window delivers the changes made before some moment inside it. The replay comes
 * after every ok op returned and shows every change made before it began.
 */
function simulate(spec: readonly { kind: string; call: number; len: number; outcome: string; late: number; pick: number; lag: number }[], windows: readonly { at: number; len: number; lag: number }[]) {
  let nextValue = 1;
  const ops = spec.map((s, i) => {
    const kind = s.kind === 'cas' && i === 0 ? 'write' : s.kind;
    const value = kind === 'read' ? null : nextValue++;
    const applied = s.outcome === 'ok' || s.outcome === 'info-applied';
    const effect = s.outcome === 'ok' || kind === 'read' ? s.call + (s.len * s.pick) / 4 : s.call + s.late;
    return { kind, value, expected: Math.max(1, value ?? 1) - 1 - (s.pick % 2), call: s.call, ret: s.call + s.len, outcome: s.outcome, applied, effect };
  });
  // Effects in order: the state, each read's answer, each cas's success.
  let state: Json = null;
  const changes: { value: number; at: number; revision: number }[] = [];
  const reads = new Map<number, Json>();
  const took = new Set<number>();
  ops.map((o, i) => ({ o, i })).filter(({ o }) => o.applied || o.kind === 'read').sort((a, b) => a.o.effect - b.o.effect || a.i - b.i).forEach(({ o, i }) => {
    if (o.kind === 'read') reads.set(i, state);
    else if (o.kind === 'write' || state === o.expected) {
      state = o.value;
      took.add(i);
      changes.push({ value: o.value!, at: o.effect, revision: changes.length + 2 });
    }
  });
  const history: { f: string; input: Json; output: Json; type: 'ok' | 'fail' | 'info'; call: number; ret: number }[] = ops.map((o, i) => {
    const input: Json = o.kind === 'read' ? null : o.kind === 'write' ? o.value : [o.expected, o.value];
    if (o.kind === 'read') return { f: 'read', input, output: reads.get(i) ?? null, type: o.outcome === 'fail' ? 'fail' : 'ok', call: o.call, ret: o.ret };
    // A cas that found another value failed; an ok op whose cas did not take is a fail too.
    const type = o.outcome === 'ok' ? (took.has(i) ? 'ok' : 'fail') : o.outcome === 'fail' || !took.has(i) ? (o.outcome === 'fail' ? 'fail' : 'info') : 'info';
    return { f: o.kind, input, output: input, type, call: o.call, ret: o.ret };
  });
  // A failed op certainly took no effect: the simulation makes it so.
  const lastOk = Math.max(0, ...history.filter((h) => h.type === 'ok').map((h) => h.ret));
  const deliver = (from: number, upTo: number): Json => [changes.filter((c) => c.revision >= from && c.at <= upTo).map((c) => ({ key: 'x', value: c.value, revision: c.revision }))];
  for (const w of windows) history.push({ f: STREAM_OP, input: null, output: { from: 1, responses: deliver(1, w.at + w.len - w.lag), interrupted: false }, type: 'ok', call: w.at, ret: w.at + w.len });
  const replayAt = lastOk + 1;
  const through = Math.max(0, ...changes.filter((c) => c.at <= replayAt).map((c) => c.revision));
  history.push({ f: STREAM_OP, input: null, output: { from: 1, responses: deliver(1, replayAt), interrupted: false, through }, type: 'ok', call: replayAt, ret: replayAt + 1 });
  return { history, ops, took, replayAt };
}

describe('settling info writes through the change stream', () => {
  const step = fc.record({
    kind: fc.constantFrom('read', 'write', 'write', 'cas'),
    call: fc.integer({ min: 0, max: 40 }),
    len: fc.integer({ min: 0, max: 8 }),
    outcome: fc.constantFrom('ok', 'ok', 'info-applied', 'info-lost', 'fail'),
    late: fc.integer({ min: 0, max: 60 }),
    pick: fc.integer({ min: 0, max: 4 }),
    lag: fc.integer({ min: 0, max: 3 }),
  });
  const window = fc.record({ at: fc.integer({ min: 0, max: 50 }), len: fc.integer({ min: 1, max: 10 }), lag: fc.integer({ min: 0, max: 5 }) });

  it('every fact it derives is true, the settled check never calls a correct store invalid, and it settles some', async () => {
    let settledAny = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), fc.array(window, { maxLength: 3 }), async (spec, windows) => {
        const { history, ops, took, replayAt } = simulate(spec, windows);
        const events = eventsOf(history);
        const paired = pairHistory(events);
        const s = settleFromStream(paired.ops);
        for (const o of paired.ops) {
          if (o.f === STREAM_OP) continue;
          const truth = ops[o.process]!;
          const by = s.happenedBy.get(o.id);
          if (by !== undefined) assert.ok(took.has(o.process) && truth.effect <= by, `op ${o.id} said to happen by ${by}, took effect ${took.has(o.process) ? truth.effect : 'never'}`);
          if (s.didNotHappen.has(o.id)) assert.ok(!took.has(o.process) || truth.effect > replayAt, `op ${o.id} said not to have happened, took effect at ${truth.effect}`);
        }
        if (s.counts.happened + s.counts.didNotHappen > 0) settledAny++;
        const registerOnly = { ...paired, ops: paired.ops.filter((o) => o.f !== STREAM_OP) };
        const r = await checkLinearizability(registerOnly, { model: 'cas-register', workers: 0, settled: s });
        assert.equal(r.verdict, 'valid', JSON.stringify(history));
      }),
      { numRuns: 600 },
    );
    assert.ok(settledAny > 100, `only ${settledAny} runs settled anything`);
  });

  it('a replay that began before an ok op returned, or did not reach its end, settles nothing as "did not happen"', () => {
    const put = (f: string, input: Json, type: 'ok' | 'info', call: number, ret: number) => ({ f, input, output: input, type, call, ret });
    const replay = (call: number, through: number, events: Json[]) => ({ f: STREAM_OP, input: null, output: { from: 1, responses: [events], interrupted: false, through }, type: 'ok' as const, call, ret: call + 1 });
    const base = [put('write', 1, 'ok', 0, 1), put('write', 2, 'info', 2, 3)];
    const full = settleFromStream(pairHistory(eventsOf([...base, replay(10, 2, [{ key: 'x', value: 1, revision: 2 }])])).ops);
    assert.deepEqual([full.counts.didNotHappen, full.counts.completeReplay], [1, true]);
    const early = settleFromStream(pairHistory(eventsOf([...base, put('read', null, 'ok', 5, 12), replay(10, 2, [{ key: 'x', value: 1, revision: 2 }])])).ops);
    assert.deepEqual([early.counts.didNotHappen, early.counts.completeReplay], [0, false]);
    const short = settleFromStream(pairHistory(eventsOf([...base, replay(10, 3, [{ key: 'x', value: 1, revision: 2 }])])).ops);
    assert.equal(short.counts.didNotHappen, 0);
    // A value written twice names no op: nothing settled by it.
    const twice = settleFromStream(pairHistory(eventsOf([put('write', 1, 'info', 0, 1), put('write', 1, 'info', 2, 3), replay(10, 2, [{ key: 'x', value: 1, revision: 2 }])])).ops);
    assert.deepEqual([twice.counts.happened, twice.counts.ambiguousValues], [0, 1]);
  });
});
