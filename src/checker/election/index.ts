import { InputError } from '../../errors.js';
import type { HistoryEvent } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import { type FaultInterval, describeFault, faultIntervals, faultsDuring } from '../../history/faults.js';
import { type Operation, pairHistory } from '../../history/operation.js';
import { overlaps, type Section } from '../lock/sections.js';
import { type Verdict, worstVerdict } from '../verdict.js';
import { ELECTION_CAMPAIGN, ELECTION_OBSERVE, ELECTION_RESIGN, type TermWindow, leadershipTerms, termOf, termWindows } from './terms.js';

export { ELECTION_CAMPAIGN, ELECTION_OBSERVE, ELECTION_RESIGN, type TermName, type TermWindow, leadershipTerms, termOf, termWindows } from './terms.js';

export interface ElectionCheckOptions {
  /** Violations listed in full per property (all are counted). */
  readonly limit?: number;
  /** The history's file, for input errors. */
  readonly file?: string;
}

/** One property's answer. */
export interface ElectionPropertyResult {
  readonly verdict: Verdict;
  readonly explanation: string;
  readonly count: number;
  /** One sentence per violation (the first `limit`). */
  readonly violations: readonly string[];
}

export interface ElectionCheckResult {
  readonly verdict: Verdict;
  readonly explanation: string;
  /** Terms clients experienced (campaign completed ok). */
  readonly terms: number;
  /** Resigns that found the term already gone (the lease or session had expired). */
  readonly lostResigns: number;
  /** (1) No two leadership terms overlap as their leaders experienced them. */
  readonly singleLeader: ElectionPropertyResult;
  /** (2) Every observe names a leader whose term could have been in effect during it (or nobody). */
  readonly observedLeader: ElectionPropertyResult;
  /** (3) No term identity belongs to two processes. */
  readonly termIdentity: ElectionPropertyResult;
}

/** Times in seconds for a history with real times; nothing for one whose times are its indices. */
interface Clock {
  at(ns: number, preposition?: string): string;
}

function clockOf(history: readonly HistoryEvent[]): Clock {
  const timed = history.some((e) => e.time !== e.index);
  return { at: (ns, preposition = 'at') => (timed && Number.isFinite(ns) ? ` ${preposition} ${(ns / 1e9).toFixed(2)} s` : '') };
}

function who(process: number, node: string | undefined): string {
  return `p${process}${node === undefined ? '' : ` (${node})`}`;
}

function faultsText(faults: readonly FaultInterval[], from: number, to: number): string {
  const active = faultsDuring(faults, from, to).map(describeFault);
  return active.length === 0 ? 'no fault was in effect' : `faults in effect: ${active.join('; ')}`;
}

/**
 * Leader election as clients experienced it, in three properties: (1) leadership terms —
 * from a campaign's completion to the resign's invocation or the process's or history's
 * end — never certainly overlap in real time (the lock checker's critical sections);
 * (2) every observe names nobody or a candidate whose term could have been in effect at
 * some moment during the observe; (3) a term identity never belongs to two processes. Pure.
 */
export function checkElection(history: readonly HistoryEvent[], options: ElectionCheckOptions = {}): ElectionCheckResult {
  const limit = options.limit ?? 20;
  const { ops } = pairHistory(history, options.file);
  requireTerms(ops, options.file ?? 'history');
  const clock = clockOf(history);
  const faults = faultIntervals(history);
  const terms = leadershipTerms(ops);
  const singleLeader = checkSingleLeader(terms, faults, clock, limit);
  const windows = termWindows(ops);
  const observedLeader = checkObserves(ops, windows, faults, clock, limit);
  const termIdentity = checkTermIdentity(ops, windows, clock, limit);
  const lostResigns = terms.filter((t) => t.ending === 'lost').length;
  const campaigns = ops.filter((o) => o.f === ELECTION_CAMPAIGN);
  const parts = [singleLeader, observedLeader, termIdentity];
  const bad = parts.find((p) => p.verdict === 'invalid');
  const verdict: Verdict = bad !== undefined ? 'invalid' : terms.length === 0 ? 'unknown' : worstVerdict(parts.map((p) => p.verdict));
  const explanation =
    bad !== undefined
      ? bad.explanation
      : terms.length === 0
        ? `No campaign completed (${campaigns.length} attempted): nothing shows whether the election keeps one leader.`
        : `${singleLeader.explanation} ${observedLeader.explanation} ${termIdentity.explanation}`;
  return { verdict, explanation, terms: terms.length, lostResigns, singleLeader, observedLeader, termIdentity };
}

function ending(t: Section, clock: Clock): string {
  switch (t.ending) {
    case 'released':
      return `began resigning${clock.at(t.end)} (index ${t.endIndex})`;
    case 'lost':
      return `began resigning${clock.at(t.end)} (index ${t.endIndex}) and found its term already over: its lease or session had expired on the server`;
    case 'release-unknown':
      return `began a resign of unknown outcome${clock.at(t.end)} (index ${t.endIndex})`;
    case 'retired':
      return `still led when its operation timed out${clock.at(t.end)} (index ${t.endIndex})`;
    case 'held-at-end':
      return 'still led when the history ended';
  }
}

function checkSingleLeader(terms: readonly Section[], faults: readonly FaultInterval[], clock: Clock, limit: number): ElectionPropertyResult {
  const { count, pairs } = overlaps(terms, limit);
  const violations = pairs.map(({ first, second, from, to }) => {
    const span = clock.at(from, 'from') === '' ? '' : `${clock.at(from, 'from')}${Number.isFinite(to) ? ` to ${(to / 1e9).toFixed(2)} s` : ''}`;
    return (
      `${who(first.process, first.node)} became leader${clock.at(first.start)} (index ${first.startIndex}, term ${first.token ?? '?'}) and ${ending(first, clock)}; ` +
      `meanwhile ${who(second.process, second.node)} became leader${clock.at(second.start)} (index ${second.startIndex}, term ${second.token ?? '?'}), ` +
      `so both led${span}; ${faultsText(faults, first.start, to)}.`
    );
  });
  if (count > 0) return { verdict: 'invalid', explanation: `${violations[0]}${count > 1 ? ` (${count} overlapping pairs of terms in all)` : ''}`, count, violations };
  if (terms.length === 0) return { verdict: 'unknown', explanation: 'No campaign completed.', count, violations };
  return { verdict: 'valid', explanation: `${terms.length} leadership terms, no two overlapping.`, count, violations };
}

/** The observe could not have seen `w`: it completed before the campaign began, or began after the term certainly ended. */
export function observeMisses(observe: Pick<Operation, 'call' | 'ret'>, w: Pick<TermWindow, 'from' | 'to'>): boolean {
  return observe.ret < w.from || observe.call > w.to;
}

function checkObserves(ops: readonly Operation[], windows: ReadonlyMap<string, TermWindow>, faults: readonly FaultInterval[], clock: Clock, limit: number): ElectionPropertyResult {
  const violations: string[] = [];
  let count = 0;
  let named = 0;
  let total = 0;
  for (const o of ops) {
    if (o.f !== ELECTION_OBSERVE || o.type !== 'ok') continue;
    total++;
    const seen = termOf(o.output);
    if (seen === undefined) continue;
    named++;
    const w = windows.get(seen.leader);
    const observer = `${who(o.process, o.node)} observed ${seen.leader} leading (term ${seen.term})${clock.at(o.call, 'from')}${clock.at(o.ret, 'to')} (indices ${o.invokeIndex}–${o.completeIndex})`;
    let why: string | undefined;
    if (w === undefined) why = 'but no process ever campaigned as that candidate';
    else if (w.campaign.type === 'fail') why = `but that campaign by p${w.campaign.process} certainly failed (index ${w.campaign.completeIndex})`;
    else if (o.ret < w.from) why = `but p${w.campaign.process} only began that campaign${clock.at(w.from)} (index ${w.campaign.invokeIndex}), after the observe had returned`;
    else if (o.call > w.to) why = `but p${w.campaign.process} had already resigned that term, completing${clock.at(w.to)} (index ${w.resign?.completeIndex ?? -1}) before the observe began: a stale leader`;
    if (why === undefined) continue;
    count++;
    if (violations.length < limit) violations.push(`${observer}, ${why}; ${faultsText(faults, o.call, o.ret)}.`);
  }
  if (count > 0) return { verdict: 'invalid', explanation: `${violations[0]}${count > 1 ? ` (${count} such observes in all)` : ''}`, count, violations };
  return { verdict: 'valid', explanation: `${total} observes, ${named} naming a leader, each one whose term could have been in effect meanwhile.`, count, violations };
}

function checkTermIdentity(ops: readonly Operation[], windows: ReadonlyMap<string, TermWindow>, clock: Clock, limit: number): ElectionPropertyResult {
  // term → the first claim of it; a claim by another process is a violation.
  const owners = new Map<string, { process: number; index: number; how: string }>();
  const violations: string[] = [];
  const conflicted = new Set<string>();
  let count = 0;
  const claim = (term: string, process: number, o: Operation, how: string): void => {
    const first = owners.get(term);
    if (first === undefined) {
      owners.set(term, { process, index: o.completeIndex, how });
      return;
    }
    if (first.process === process || conflicted.has(term)) return;
    conflicted.add(term);
    count++;
    if (violations.length < limit) {
      violations.push(`Term ${term} belongs to two processes: p${first.process} (${first.how}, index ${first.index}) and p${process} (${how}, index ${o.completeIndex}${clock.at(o.ret)}).`);
    }
  };
  for (const o of ops) {
    if (o.type !== 'ok') continue;
    const t = termOf(o.output);
    if (t === undefined) continue;
    if (o.f === ELECTION_CAMPAIGN) claim(t.term, o.process, o, `its campaign won it`);
    else if (o.f === ELECTION_OBSERVE) {
      const w = windows.get(t.leader);
      if (w !== undefined) claim(t.term, w.campaign.process, o, `p${o.process} observed its candidate ${t.leader} leading it`);
    }
  }
  if (count > 0) return { verdict: 'invalid', explanation: `${violations[0]}${count > 1 ? ` (${count} such terms in all)` : ''}`, count, violations };
  return { verdict: 'valid', explanation: `${owners.size} term identities, each of one process.`, count, violations };
}

/**
 * An ok campaign returns the term it won, {leader, term} in strings; an ok observe that or
 * null. Anything else is not an election history: an InputError naming the event, never a
 * campaign that won no term (which left nothing to check and read valid).
 */
function requireTerms(ops: readonly Operation[], file: string): void {
  const bad = ops.find((o) => o.type === 'ok' && ((o.f === ELECTION_CAMPAIGN && termOf(o.output) === undefined) || (o.f === ELECTION_OBSERVE && o.output !== null && termOf(o.output) === undefined)));
  if (bad === undefined) return;
  const shown = exactJsonText(bad.output);
  throw new InputError(
    file,
    undefined,
    `event ${bad.completeIndex} (process ${bad.process}): an ok ${bad.f} returns ${bad.f === ELECTION_OBSERVE ? 'null or ' : ''}the term {leader, term} as strings, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`,
    'see docs/workloads.md (election) for the operations',
  );
}
