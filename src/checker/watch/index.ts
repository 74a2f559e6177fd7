import { InputError } from '../../errors.js';
import type { HistoryEvent, Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import { type FaultInterval, describeFault, faultIntervals, faultsDuring } from '../../history/faults.js';
import { type Operation, pairHistory } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { WATCH_PUT, WATCH_WATCH, duplicateValue, pairsOf, proc, putName, secs, show } from './common.js';
import { type StateWatchResult, checkStateWatch, isStateWindow } from './state.js';

export { WATCH_PUT, WATCH_WATCH } from './common.js';

/** What one watch window delivered (the op's value): see WatchCapability. */
interface Window {
  from: number;
  responses: { key: string; value: Json; revision: number }[][];
}

export type WatchViolationKind = 'missed' | 'out-of-order' | 'duplicate' | 'split' | 'before-start' | 'unwritten' | 'failed-write' | 'future' | 'wrong-revision' | 'disagree' | 'shared-revision';

export interface WatchViolation {
  kind: WatchViolationKind;
  sentence: string;
}

export interface WatchResult {
  verdict: Verdict;
  explanation: string;
  violations: WatchViolation[];
  /** How many violations of each kind (only the first few are kept as sentences). */
  counts: Partial<Record<WatchViolationKind, number>>;
  puts: { ok: number; info: number; fail: number };
  windows: number;
  events: number;
  /** Puts of unknown outcome a watch delivered: they happened, at the revision shown. */
  infoResolved: number;
}

const SHOWN = 10;

/**
 * etcd's watch guarantees, as its own robustness tests state them, checked against the puts:
 * - ordered and unique: within a window revisions never go back, and no (key, revision) twice;
 * - atomic: a revision's events arrive in one response, all of the put's keys together;
 * - no event before the window's start revision, none that no put wrote, none of a put that
 *   certainly failed, none from the future (a put invoked only after the window ended), and
 *   an acknowledged put's events carry its revision;
 * - reliable: a window delivered every put with a revision from its start to the last revision
 *   it delivered (acknowledged puts, and puts of unknown outcome some watch showed happened);
 * - agreement: all windows put a put at the same revision, and no two puts share one.
 * Put values are unique (the workload's), so each event names its put; a history with a value
 * put twice gives `unknown`. ZooKeeper and Consul windows go to `checkStateWatch`. Pure.
 */
export function checkWatch(history: readonly HistoryEvent[], file = 'history.jsonl'): WatchResult | StateWatchResult {
  const { ops } = pairHistory(history, file);
  // The history tells which kind: ZooKeeper and Consul windows hold reads (`observations`).
  if (ops.some((o) => o.f === WATCH_WATCH && o.type === 'ok' && isStateWindow(o.output))) return checkStateWatch(history);
  const faults = faultIntervals(history);
  const puts = ops.filter((o) => o.f === WATCH_PUT);
  const windows = ops.filter((o) => o.f === WATCH_WATCH && o.type === 'ok').map((o) => ({ op: o, w: windowOf(o, file) }));

  const dup = duplicateValue(puts);
  if (dup !== undefined) {
    const none = { violations: [], counts: {}, puts: { ok: count(puts, 'ok'), info: count(puts, 'info'), fail: count(puts, 'fail') }, windows: windows.length, events: 0, infoResolved: 0 };
    return { ...none, verdict: 'unknown', explanation: `the value ${dup} was put more than once, so an event of it cannot name its put; this checker needs unique put values` };
  }

  const byValue = new Map<string, { op: Operation; key: string }>();
  for (const p of puts) for (const [key, value] of pairsOf(p.input)) byValue.set(exactJsonText(value), { op: p, key });

  const violations: WatchViolation[] = [];
  const counts: Partial<Record<WatchViolationKind, number>> = {};
  const flag = (kind: WatchViolationKind, sentence: () => string): void => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (violations.length < SHOWN) violations.push({ kind, sentence: sentence() });
  };
  const faultsOf = (from: number, to: number): string => {
    const active = faultsDuring(faults, from, to).map(describeFault);
    return active.length === 0 ? 'no fault was in effect' : `faults in effect: ${active.join('; ')}`;
  };

  // Where each put was seen to take effect (every window must agree), and by whom first.
  const seenAt = new Map<Operation, { revision: number; by: Operation }>();
  const atRevision = new Map<number, Operation>();
  for (const p of puts) if (p.type === 'ok' && typeof p.output === 'number') atRevision.set(p.output, p);
  const sharedChecked = new Set<number>();
  for (const p of puts) {
    if (p.type !== 'ok' || typeof p.output !== 'number') continue;
    const other = atRevision.get(p.output);
    if (other !== undefined && other !== p && !sharedChecked.has(p.output)) {
      sharedChecked.add(p.output);
      flag('shared-revision', () => `${putName(other)} and ${putName(p)} were both acknowledged at revision ${String(p.output)}`);
    }
  }

  // Pass 1: each event on its own, and where each put was seen to take effect.
  let events = 0;
  const delivered = windows.map(({ op, w }) => {
    const who = windowName(op, w);
    const seenHere = new Set<string>(); // "key@revision"
    const revisionResponse = new Map<number, number>();
    let last = -Infinity;
    w.responses.forEach((response, r) => {
      for (const e of response) {
        events++;
        const id = `${e.key}@${e.revision}`;
        if (e.revision < last) flag('out-of-order', () => `${who} delivered revision ${e.revision} after revision ${last}`);
        if (seenHere.has(id)) flag('duplicate', () => `${who} delivered ${e.key} at revision ${e.revision} twice`);
        if (e.revision < w.from) flag('before-start', () => `${who} delivered revision ${e.revision}, before the revision it started from`);
        const rr = revisionResponse.get(e.revision);
        if (rr !== undefined && rr !== r) flag('split', () => `${who} delivered revision ${e.revision} in two responses (${rr + 1} and ${r + 1}), not atomically`);
        revisionResponse.set(e.revision, r);
        seenHere.add(id);
        last = Math.max(last, e.revision);

        const source = byValue.get(exactJsonText(e.value));
        if (source === undefined || source.key !== e.key) {
          flag('unwritten', () => `${who} delivered ${e.key}=${show(e.value)} at revision ${e.revision}, which no put wrote`);
          continue;
        }
        const p = source.op;
        if (p.type === 'fail') flag('failed-write', () => `${who} delivered ${e.key}=${show(e.value)} at revision ${e.revision}, written by ${putName(p)}, which certainly failed`);
        if (p.call > op.ret) flag('future', () => `${who} delivered ${e.key}=${show(e.value)} before ${putName(p)} was even invoked (${secs(p.call)})`);
        if (p.type === 'ok' && typeof p.output === 'number' && p.output !== e.revision) {
          flag('wrong-revision', () => `${who} delivered ${e.key}=${show(e.value)} at revision ${e.revision}, but ${putName(p)} was acknowledged at revision ${String(p.output)}`);
        }
        const seen = seenAt.get(p);
        if (seen === undefined) seenAt.set(p, { revision: e.revision, by: op });
        else if (seen.revision !== e.revision) flag('disagree', () => `${putName(p)} was delivered at revision ${seen.revision} to the watch by ${proc(seen.by)} and at revision ${e.revision} to ${who}`);
      }
    });
    return { seenHere, last };
  });

  // Pass 2, reliable: each window delivered every put known to have taken effect from its
  // start to the last revision it delivered — acknowledged ones, and ones of unknown outcome
  // some watch saw (at the revision it saw them).
  const known: { revision: number; put: Operation }[] = [];
  for (const p of puts) {
    const revision = p.type === 'ok' && typeof p.output === 'number' ? p.output : p.type === 'info' ? seenAt.get(p)?.revision : undefined;
    if (revision !== undefined) known.push({ revision, put: p });
  }
  known.sort((a, b) => a.revision - b.revision);
  windows.forEach(({ op, w }, i) => {
    const { seenHere, last } = delivered[i]!;
    for (let k = firstAtLeast(known, w.from); k < known.length && known[k]!.revision <= last; k++) {
      const { revision, put: p } = known[k]!;
      for (const [key] of pairsOf(p.input)) {
        if (seenHere.has(`${key}@${revision}`)) continue;
        const unknown = p.type === 'info' ? ' (outcome unknown, but a watch saw it)' : '';
        flag('missed', () => `${windowName(op, w)} delivered revisions ${w.from} to ${last} but not ${key} at revision ${revision}, written by ${putName(p)}${unknown}; ${faultsOf(op.call, op.ret)}`);
      }
    }
  });

  const infoResolved = [...seenAt.keys()].filter((p) => p.type === 'info').length;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const putCounts = { ok: count(puts, 'ok'), info: count(puts, 'info'), fail: count(puts, 'fail') };
  let verdict: Verdict = total > 0 ? 'invalid' : 'valid';
  let explanation: string;
  if (total > 0) explanation = `${violations[0]!.sentence}${total > 1 ? ` (${total} violations in all)` : ''}.`;
  else if (windows.length === 0 || events === 0 || putCounts.ok === 0) {
    // Nothing was watched: no guarantee was put to the test, so none can be vouched for.
    verdict = 'unknown';
    explanation = `nothing to check: ${putCounts.ok} acknowledged puts, ${windows.length} completed watches, ${events} events delivered`;
  } else {
    explanation = `${windows.length} watch windows delivered ${events} events, in order, atomically, each from a put, none missed between a window's start and its last revision; ${infoResolved} puts of unknown outcome seen to have happened.`;
  }
  return { verdict, explanation, violations, counts, puts: putCounts, windows: windows.length, events, infoResolved };
}

/**
 * A window as the watch workload records it. Anything else is not a watch history: an
 * InputError naming the event, never a window read as empty (which would vouch for nothing
 * having been delivered) nor a revision read as NaN.
 */
function windowOf(op: Operation, file: string): Window {
  const bad = (what: string): never => {
    throw new InputError(file, undefined, `event ${op.completeIndex} (process ${op.process}): the watch window's value ${what}`, 'a window is {"from": N, "responses": [[{"key", "value", "revision"}, ...], ...]}');
  };
  const v = op.output;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad(`is not an object: ${show(v)}`);
  const o = v as { from?: Json; responses?: Json };
  const revision = (r: Json | undefined): r is number => typeof r === 'number' && Number.isSafeInteger(r) && r >= 0;
  if (!revision(o.from)) return bad(`has no start revision "from" (a whole number below 2^53): ${show(o.from ?? null)}`);
  if (!Array.isArray(o.responses) || !o.responses.every(Array.isArray)) return bad('has no "responses" list of event lists');
  return {
    from: o.from,
    responses: (o.responses as Json[][]).map((r) =>
      r.map((e) => {
        if (e === null || typeof e !== 'object' || Array.isArray(e)) return bad(`holds an event that is not an object: ${show(e)}`);
        const x = e as { key?: Json; value?: Json; revision?: Json };
        if (!revision(x.revision)) return bad(`holds an event without a revision (a whole number below 2^53): ${show(e)}`);
        return { key: String(x.key), value: x.value ?? null, revision: x.revision };
      }),
    ),
  };
}

function windowName(op: Operation, w: Window): string {
  return `the watch by ${proc(op)} from revision ${w.from} (history index ${op.completeIndex}, ${secs(op.call)}–${secs(op.ret)})`;
}

/** The first index whose revision is at least `from` (binary search over a sorted list). */
function firstAtLeast(list: readonly { revision: number }[], from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.revision < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function count(ops: readonly Operation[], type: Operation['type']): number {
  return ops.filter((o) => o.type === type).length;
}

