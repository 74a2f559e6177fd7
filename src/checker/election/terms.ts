import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import { LOCK_ACQUIRE, LOCK_RELEASE, type Section, criticalSections } from '../lock/sections.js';

/** The operation names an election history uses. */
export const ELECTION_CAMPAIGN = 'campaign';
export const ELECTION_RESIGN = 'resign';
export const ELECTION_OBSERVE = 'observe';

/** A term as the history names it: the leader (a campaign's candidate) and the system's identity for the term. */
export interface TermName {
  readonly leader: string;
  readonly term: string;
}

/** `{leader, term}` from a campaign's or observe's value; undefined for anything else (an observe of nobody is `null`). */
export function termOf(value: Json): TermName | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const leader = value['leader'];
  const term = value['term'];
  return typeof leader === 'string' && typeof term === 'string' ? { leader, term } : undefined;
}

/**
 * A term as its leader experienced it is a critical section of the lock checker: from the
 * campaign's completion (from then on the process certainly led) to its resign's invocation
 * (from then on it no longer acted as leader), or its process's end, or the history's end.
 * The lock checker's reconstruction is reused by renaming: campaign → acquire (its term as
 * the token), resign → release.
 */
export function leadershipTerms(ops: readonly Operation[]): Section[] {
  return criticalSections(
    ops.map((o) => {
      if (o.f === ELECTION_CAMPAIGN) {
        const t = o.type === 'ok' ? termOf(o.output) : undefined;
        return { ...o, f: LOCK_ACQUIRE, output: t === undefined ? o.output : { token: t.term } };
      }
      if (o.f === ELECTION_RESIGN) return { ...o, f: LOCK_RELEASE };
      return o;
    }),
  );
}

/**
 * When a candidate's term could have been in effect on the server: from its campaign's
 * invocation (the system may grant it any time after) until the completion of the first
 * resign that completed `ok` after it (released, or found the term already gone) — or, with
 * no such resign, until the end of the history.
 */
export interface TermWindow {
  readonly candidate: string;
  readonly campaign: Operation;
  readonly from: number;
  /** ns; Infinity when nothing ended the term for certain. */
  readonly to: number;
  readonly resign?: Operation;
}

/** Every campaign's window, by candidate (a candidate campaigned twice keeps its first). */
export function termWindows(ops: readonly Operation[]): Map<string, TermWindow> {
  const byProcess = new Map<number, Operation[]>();
  for (const o of ops) {
    const list = byProcess.get(o.process);
    if (list === undefined) byProcess.set(o.process, [o]);
    else list.push(o);
  }
  const windows = new Map<string, TermWindow>();
  for (const list of byProcess.values()) {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (c.f !== ELECTION_CAMPAIGN || typeof c.input !== 'string' || windows.has(c.input)) continue;
      let resign: Operation | undefined;
      for (let j = i + 1; j < list.length; j++) {
        const r = list[j]!;
        if (r.f === ELECTION_CAMPAIGN) break;
        if (r.f === ELECTION_RESIGN && r.type === 'ok') {
          resign = r;
          break;
        }
      }
      windows.set(c.input, { candidate: c.input, campaign: c, from: c.call, to: resign?.ret ?? Infinity, ...(resign === undefined ? {} : { resign }) });
    }
  }
  return windows;
}
