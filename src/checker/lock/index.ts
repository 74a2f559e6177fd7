import type { HistoryEvent } from '../../history/event.js';
import { type FaultInterval, describeFault, faultIntervals, faultsDuring } from '../../history/faults.js';
import { pairHistory } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { type Overlap, type Section, LOCK_ACQUIRE, criticalSections, fenceInversion, overlaps } from './sections.js';

export { type Overlap, type Section, type SectionEnd, criticalSections, fenceInversion, grantOf, LOCK_ACQUIRE, LOCK_RELEASE, overlaps, releaseLost } from './sections.js';

export interface LockCheckOptions {
  /** The lease/session TTL the clients asked for, to say whether a holder outlived it. */
  readonly ttlMs?: number;
  /** Overlaps listed in full (all are counted). */
  readonly limit?: number;
}

export interface LockCheckResult {
  readonly verdict: Verdict;
  /** One sentence a person can check against the history. */
  readonly explanation: string;
  readonly sections: number;
  /** Releases that found the lock already gone (the lease or session had expired). */
  readonly lostReleases: number;
  readonly overlapCount: number;
  readonly overlaps: readonly OverlapReport[];
  /** A grant whose fencing token did not grow, when grants carry one. */
  readonly fenceInversion?: string;
}

export interface OverlapReport {
  readonly sentence: string;
  readonly first: Section;
  readonly second: Section;
  /** ns */
  readonly from: number;
  readonly to: number;
  readonly faults: readonly string[];
}

/**
 * Mutual exclusion as clients experienced it. A leased lock (Redis `SET PX`, an etcd lease, a
 * Consul or ZooKeeper session) can expire under a holder that is paused or cut off; a model
 * that never sees a lease expire would call every later acquire "a second holder". Here a
 * violation is two critical sections that certainly overlapped in real time, each named
 * with its holder, node, times, history indices and the faults in effect.
 */
export function checkLock(history: readonly HistoryEvent[], options: LockCheckOptions = {}): LockCheckResult {
  const { ops } = pairHistory(history);
  const sections = criticalSections(ops);
  const faults = faultIntervals(history);
  const timed = history.some((e) => e.time !== e.index);
  const { count, pairs } = overlaps(sections, options.limit ?? 20);
  const reports = pairs.map((o) => reportOverlap(o, faults, timed, options.ttlMs));
  const inversion = fenceInversion(ops.filter((o) => o.f === LOCK_ACQUIRE));
  const lostReleases = sections.filter((s) => s.ending === 'lost').length;
  const base = { sections: sections.length, lostReleases, overlapCount: count, overlaps: reports };
  const inversionText =
    inversion === undefined
      ? undefined
      : `the grant to p${inversion.later.process} (index ${inversion.later.completeIndex}) carries fence ${String(fenceOf(inversion.later.output))}, not above the fence ${String(fenceOf(inversion.earlier.output))} granted to p${inversion.earlier.process} (index ${inversion.earlier.completeIndex}) before it asked`;
  if (count > 0 || inversionText !== undefined) {
    const first = reports[0]?.sentence ?? `Fencing tokens went backwards: ${inversionText}.`;
    const more = count > 1 ? ` (${count} overlapping pairs in all)` : '';
    return { verdict: 'invalid', explanation: `${first}${more}`, ...base, ...(inversionText === undefined ? {} : { fenceInversion: inversionText }) };
  }
  if (sections.length === 0) {
    const tried = ops.filter((o) => o.f === LOCK_ACQUIRE).length;
    return { verdict: 'unknown', explanation: `No acquire completed (${tried} attempted): nothing shows whether the lock excludes.`, ...base };
  }
  const lost = lostReleases > 0 ? `; ${lostReleases} holder(s) found the lock already gone at release (lease or session expired), with no one else inside meanwhile` : '';
  return { verdict: 'valid', explanation: `${sections.length} critical sections, no two overlapping${lost}.`, ...base };
}

function fenceOf(v: unknown): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)['fence'] : undefined;
}

/** ` at 12.31 s` from ns, or nothing for a history without real times (its indices say the order). */
function at(ns: number, timed: boolean, preposition = 'at'): string {
  return timed ? ` ${preposition} ${(ns / 1e9).toFixed(2)} s` : '';
}

function holder(s: Section): string {
  return `p${s.process}${s.node === undefined ? '' : ` (${s.node})`}`;
}

function ending(s: Section, timed: boolean, ttlMs: number | undefined): string {
  const held = Number.isFinite(s.end) && timed ? (s.end - s.start) / 1e6 : undefined;
  const outlived = held !== undefined && ttlMs !== undefined && held > ttlMs ? `, ${(held / 1000).toFixed(1)} s after its grant, past the ${ttlMs / 1000} s TTL` : '';
  switch (s.ending) {
    case 'released':
      return `began releasing it${at(s.end, timed)} (index ${s.endIndex})${outlived}`;
    case 'lost':
      return `began releasing it${at(s.end, timed)} (index ${s.endIndex})${outlived} and found it already gone: its lease had expired on the server`;
    case 'release-unknown':
      return `began a release of unknown outcome${at(s.end, timed)} (index ${s.endIndex})${outlived}`;
    case 'retired':
      return `was still inside when its operation timed out${at(s.end, timed)} (index ${s.endIndex})`;
    case 'held-at-end':
      return 'still held it when the history ended';
  }
}

function reportOverlap(o: Overlap, faults: readonly FaultInterval[], timed: boolean, ttlMs: number | undefined): OverlapReport {
  const { first, second } = o;
  const active = faultsDuring(faults, first.start, o.to).map(describeFault);
  const fence = first.fence !== undefined && second.fence !== undefined ? ` (fences ${String(first.fence)} and ${String(second.fence)})` : '';
  const sentence =
    `${holder(first)} held the lock${at(first.start, timed, 'from')} (index ${first.startIndex}) and ${ending(first, timed, ttlMs)}; ` +
    `meanwhile ${holder(second)} acquired it${at(second.start, timed)} (index ${second.startIndex})${fence}, so both were inside` +
    `${timed ? ` from ${(o.from / 1e9).toFixed(2)} s${Number.isFinite(o.to) ? ` to ${(o.to / 1e9).toFixed(2)} s` : ''}` : ''}` +
    `${active.length === 0 ? '; no fault was in effect' : `; faults in effect: ${active.join('; ')}`}.`;
  return { sentence, first, second, from: o.from, to: o.to, faults: active };
}

