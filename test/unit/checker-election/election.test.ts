import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkElection, leadershipTerms } from '../../../src/checker/election/index.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { pairHistory } from '../../../src/history/operation.js';

type Outcome = 'ok' | 'fail' | 'info';
interface Step {
  f: 'campaign' | 'resign' | 'observe';
  outcome: Outcome;
  lost: boolean;
  /** campaign: which term identity it is granted; observe: which term it reports. */
  term: number;
  /** observe: which candidate it names (-1: nobody, beyond the pool: a candidate nobody proposed). */
  seen: number;
}

const PROCESSES = 4;
const STEPS = 6;
const candidateOf = (p: number, step: number): string => `p${p}.${step}`;

/** Random election histories: each process runs its steps in order; all processes' steps interleave at random. */
const histories = fc
  .array(
    fc.array(
      fc.record({
        f: fc.constantFrom<Step['f']>('campaign', 'resign', 'observe'),
        outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'fail', 'info'),
        lost: fc.boolean(),
        term: fc.integer({ min: 0, max: 5 }),
        seen: fc.integer({ min: -1, max: PROCESSES * STEPS }),
      }),
      { maxLength: STEPS },
    ),
    { minLength: 1, maxLength: PROCESSES },
  )
  .chain((processes) => {
    const slots: number[] = [];
    processes.forEach((steps, p) => {
      let open = true;
      steps.forEach((s, i) => {
        if (!open) return;
        slots.push(p);
        if (!(s.outcome === 'info' && i === steps.length - 1)) slots.push(p);
        if (s.outcome === 'info') open = false;
      });
    });
    return fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length }).map((order) => build(processes, order));
  });

function build(processes: Step[][], order: number[]): HistoryEvent[] {
  const cursor = processes.map(() => ({ step: 0, invoked: false }));
  const events: HistoryEvent[] = [];
  // Candidates campaigned for so far: observes mostly name one of them (else one nobody proposed).
  const proposed: string[] = [];
  for (const p of order) {
    const c = cursor[p]!;
    const s = processes[p]![c.step]!;
    const index = events.length;
    const input: Json = s.f === 'campaign' ? candidateOf(p, c.step) : s.f === 'resign' ? { leader: 'x', term: `t${s.term}` } : null;
    if (!c.invoked) {
      if (s.f === 'campaign') proposed.push(input as string);
      events.push({ index, time: index, process: p, type: 'invoke', f: s.f, value: input });
      c.invoked = true;
      continue;
    }
    let value: Json = null;
    if (s.outcome === 'ok') {
      if (s.f === 'campaign') value = { leader: candidateOf(p, c.step), term: `t${s.term}` };
      else if (s.f === 'resign') value = { term: `t${s.term}`, lost: s.lost };
      else value = s.seen < 0 ? null : { leader: proposed[s.seen % (proposed.length + 1)] ?? 'stranger', term: `t${s.term}` };
    }
    events.push({ index, time: index, process: p, type: s.outcome, f: s.f, value: s.outcome === 'ok' ? value : input });
    c.step++;
    c.invoked = false;
  }
  return events;
}

// ---- The reference: everything read point by point off each process's own events. ----

function byProcess(history: readonly HistoryEvent[]): Map<number, HistoryEvent[]> {
  const m = new Map<number, HistoryEvent[]>();
  for (const e of history) if (typeof e.process === 'number') m.set(e.process, [...(m.get(e.process) ?? []), e]);
  return m;
}

/** Who certainly leads at time t: an ok campaign completed, no non-failing resign invoked since, the process not ended by an info. */
function leadersAt(history: readonly HistoryEvent[], t: number): number[] {
  const out: number[] = [];
  for (const [p, events] of byProcess(history)) {
    let leading = false;
    for (let i = 0; i < events.length && events[i]!.time <= t; i++) {
      const e = events[i]!;
      if (e.type === 'ok' && e.f === 'campaign') leading = true;
      else if (e.type === 'invoke' && e.f === 'resign') {
        const done = events[i + 1];
        if (done === undefined || done.type !== 'fail') leading = false;
      } else if (e.type === 'info') leading = false;
    }
    if (leading) out.push(p);
  }
  return out.sort((a, b) => a - b);
}

function referenceOverlaps(history: readonly HistoryEvent[]): Set<string> {
  const pairs = new Set<string>();
  for (let t = 0.5; t < history.length; t++) {
    const h = leadersAt(history, t);
    for (let i = 0; i < h.length; i++) for (let j = i + 1; j < h.length; j++) pairs.add(`${h[i]}-${h[j]}`);
  }
  return pairs;
}

/** Whether `candidate`'s term could be in effect at t: its campaign was invoked by then, did not fail, and no ok resign of it had completed before t. */
function couldLead(history: readonly HistoryEvent[], candidate: string, t: number): boolean {
  for (const [, events] of byProcess(history)) {
    const at = events.findIndex((e) => e.type === 'invoke' && e.f === 'campaign' && e.value === candidate);
    if (at < 0) continue;
    if (events[at]!.time > t) return false;
    if (events[at + 1]?.type === 'fail') return false;
    for (let i = at + 1; i < events.length; i++) {
      const e = events[i]!;
      if (e.type === 'invoke' && e.f === 'campaign') break;
      if (e.f === 'resign' && e.type === 'ok') return e.time >= t;
    }
    return true;
  }
  return false;
}

function referenceBadObserves(history: readonly HistoryEvent[]): number {
  let bad = 0;
  for (const [, events] of byProcess(history)) {
    for (let i = 0; i + 1 < events.length; i++) {
      const [inv, done] = [events[i]!, events[i + 1]!];
      if (inv.type !== 'invoke' || inv.f !== 'observe' || done.type !== 'ok' || done.value === null) continue;
      const leader = (done.value as { leader: string }).leader;
      let possible = false;
      for (let t = inv.time; t <= done.time; t += 0.5) possible ||= couldLead(history, leader, t);
      if (!possible) bad++;
    }
  }
  return bad;
}

/** Term identities claimed by two processes: ok campaigns, and ok observes naming a campaign's candidate. */
function referenceSharedTerms(history: readonly HistoryEvent[]): number {
  const claims: [string, number][] = [];
  const owner = new Map<string, number>();
  for (const e of history) if (e.type === 'invoke' && e.f === 'campaign' && typeof e.process === 'number') owner.set(e.value as string, e.process);
  for (const e of history) {
    if (e.type !== 'ok' || typeof e.process !== 'number' || e.value === null || typeof e.value !== 'object') continue;
    const { leader, term } = e.value as { leader?: string; term: string };
    if (e.f === 'campaign') claims.push([term, e.process]);
    else if (e.f === 'observe' && leader !== undefined && owner.has(leader)) claims.push([term, owner.get(leader)!]);
  }
  const shared = new Set<string>();
  for (const [a, pa] of claims) for (const [b, pb] of claims) if (a === b && pa !== pb) shared.add(a);
  return shared.size;
}

describe('election checker', () => {
  it('finds exactly what point-by-point references find, for all three properties (no false alarm, no miss)', () => {
    fc.assert(
      fc.property(histories, (history) => {
        const r = checkElection(history, { limit: Infinity });
        const overlapping = referenceOverlaps(history);
        const terms = leadershipTerms(pairHistory(history).ops);
        assert.equal(r.singleLeader.verdict, overlapping.size > 0 ? 'invalid' : terms.length === 0 ? 'unknown' : 'valid');
        assert.equal(r.singleLeader.count, r.singleLeader.violations.length);
        const found = new Set(r.singleLeader.violations.map((s) => [...s.matchAll(/\bp(\d+)\b/g)].slice(0, 2).map((m) => Number(m[1])).sort((a, b) => a - b).join('-')));
        assert.deepEqual([...found].sort(), [...overlapping].sort());
        assert.equal(r.observedLeader.count, referenceBadObserves(history));
        assert.equal(r.observedLeader.verdict, r.observedLeader.count > 0 ? 'invalid' : 'valid');
        assert.equal(r.termIdentity.count, referenceSharedTerms(history));
        assert.equal(r.verdict === 'invalid', overlapping.size > 0 || r.observedLeader.count > 0 || r.termIdentity.count > 0);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('election checker: sentences', () => {
  const ev = (index: number, process: number, type: HistoryEvent['type'], f: string, value: Json = null, node = 'n1'): HistoryEvent => ({ index, time: index * 1e9, process, type, f, value, node });
  const term = (leader: string, t: string): Json => ({ leader, term: t });

  it('a leader frozen past its lease overlaps the next: both leaders, nodes, times, indices, terms and the fault', () => {
    const history: HistoryEvent[] = [
      ev(0, 0, 'invoke', 'campaign', 'p0.0', 'n2'),
      ev(1, 0, 'ok', 'campaign', term('p0.0', 'tok-a'), 'n2'),
      { index: 2, time: 1.5e9, process: 'nemesis', type: 'invoke', f: 'start-client-pause', value: 6000 },
      ev(3, 1, 'invoke', 'campaign', 'p1.0'),
      ev(4, 1, 'ok', 'campaign', term('p1.0', 'tok-b')),
      ev(5, 2, 'invoke', 'observe'),
      ev(6, 2, 'ok', 'observe', term('p1.0', 'tok-b')),
      { index: 7, time: 7e9, process: 'nemesis', type: 'info', f: 'start-client-pause', value: { fault: 'client-pause', active: false, targets: ['process 0'], details: { applied: true } } },
      ev(8, 0, 'invoke', 'resign', term('p0.0', 'tok-a'), 'n3'),
      ev(9, 0, 'ok', 'resign', { term: 'tok-a', lost: true }, 'n3'),
    ];
    const r = checkElection(history);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.lostResigns, 1);
    assert.equal(
      r.explanation,
      'p0 (n2) became leader at 1.00 s (index 1, term tok-a) and began resigning at 8.00 s (index 8) and found its term already over: its lease or session had expired on the server; meanwhile p1 (n1) became leader at 4.00 s (index 4, term tok-b), so both led from 4.00 s to 8.00 s; faults in effect: client-pause process 0.',
    );
    assert.equal(r.observedLeader.verdict, 'valid');
    assert.equal(r.termIdentity.verdict, 'valid');
  });

  it('an observe naming a leader that had already resigned is stale; one naming a term of two processes is named too', () => {
    const history: HistoryEvent[] = [
      ev(0, 0, 'invoke', 'campaign', 'p0.0'),
      ev(1, 0, 'ok', 'campaign', term('p0.0', 't7')),
      ev(2, 0, 'invoke', 'resign', term('p0.0', 't7')),
      ev(3, 0, 'ok', 'resign', { term: 't7', lost: false }),
      ev(4, 1, 'invoke', 'campaign', 'p1.0'),
      ev(5, 1, 'ok', 'campaign', term('p1.0', 't7')),
      ev(6, 2, 'invoke', 'observe', null, 'n3'),
      ev(7, 2, 'ok', 'observe', term('p0.0', 't7'), 'n3'),
    ];
    const r = checkElection(history);
    assert.equal(r.singleLeader.verdict, 'valid');
    assert.equal(r.observedLeader.verdict, 'invalid');
    assert.equal(
      r.observedLeader.explanation,
      'p2 (n3) observed p0.0 leading (term t7) from 6.00 s to 7.00 s (indices 6–7), but p0 had already resigned that term, completing at 3.00 s (index 3) before the observe began: a stale leader; no fault was in effect.',
    );
    assert.equal(r.termIdentity.verdict, 'invalid');
    assert.equal(r.termIdentity.explanation, 'Term t7 belongs to two processes: p0 (its campaign won it, index 1) and p1 (its campaign won it, index 5 at 5.00 s).');
    assert.equal(r.verdict, 'invalid');
  });

  it('no completed campaign: unknown, never valid; an observe of a candidate nobody proposed is invalid even then', () => {
    const tried = [ev(0, 0, 'invoke', 'campaign', 'p0.0'), ev(1, 0, 'info', 'campaign', 'p0.0')];
    assert.equal(checkElection(tried).verdict, 'unknown');
    const stranger = [...tried, ev(2, 1, 'invoke', 'observe'), ev(3, 1, 'ok', 'observe', term('zed', 'x'))];
    const r = checkElection(stranger);
    assert.equal(r.verdict, 'invalid');
    assert.match(r.explanation, /observed zed leading .* but no process ever campaigned as that candidate/);
    // A campaign of unknown outcome may have won: observing its candidate afterwards is fine.
    assert.equal(checkElection([...tried, ev(2, 1, 'invoke', 'observe'), ev(3, 1, 'ok', 'observe', term('p0.0', 'x'))]).observedLeader.verdict, 'valid');
  });
});

describe('faultline check --workload election', () => {
  it("runs the election's three checkers on a stored history, exits by verdict, and refuses a malformed one", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-election-'));
    const line = (e: object): string => JSON.stringify(e);
    const events = [
      { process: 0, type: 'invoke', f: 'campaign', value: 'p0.0' },
      { process: 0, type: 'ok', f: 'campaign', value: { leader: 'p0.0', term: 'a' } },
      { process: 1, type: 'invoke', f: 'campaign', value: 'p1.0' },
      { process: 0, type: 'invoke', f: 'resign', value: { leader: 'p0.0', term: 'a' } },
      { process: 0, type: 'ok', f: 'resign', value: { term: 'a', lost: false } },
      { process: 1, type: 'ok', f: 'campaign', value: { leader: 'p1.0', term: 'b' } },
    ].map((e, index) => ({ index, time: index, ...e }));
    const valid = join(dir, 'valid.jsonl');
    await writeFile(valid, events.map(line).join('\n'));
    const r = await runCli('check', valid, '--workload', 'election', '--json');
    assert.equal(r.code, ExitCode.Valid);
    assert.deepEqual((JSON.parse(r.out) as { checkers: { checker: string }[] }).checkers.map((c) => c.checker), ['single-leader', 'observed-leader', 'term-identity']);
    // p1's campaign completing before p0 resigns: two leaders at once.
    const overlapping = join(dir, 'overlapping.jsonl');
    const swapped = [...events.slice(0, 3), events[5]!, events[3]!, events[4]!].map((e, index) => ({ ...e, index, time: index }));
    await writeFile(overlapping, swapped.map(line).join('\n'));
    assert.equal((await runCli('check', overlapping, '--workload', 'election')).code, ExitCode.Invalid);
    const malformed = join(dir, 'malformed.jsonl');
    await writeFile(malformed, line({ index: 0, time: 0, process: 0, type: 'ok', f: 'campaign', value: null }));
    const bad = await runCli('check', malformed, '--workload', 'election');
    assert.equal(bad.code, ExitCode.Usage);
    assert.match(bad.err, /completes \(ok\) an operation it never invoked/);
  });
});
