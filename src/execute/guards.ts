import { type HistoryEvent, type Json, NEMESIS } from '../history/event.js';
import { faultIntervals } from '../history/faults.js';

/** What a run must show before a `valid` from its checkers means anything. */
export interface PassFloor {
  /** Fewer client operations than this completing `ok` proves nothing (0: no floor). */
  readonly minOk: number;
  /** Fault kinds the run asked for: each must have been applied at least once. */
  readonly faults: readonly string[];
}

/**
 * Why a run's `valid` would be an empty pass: almost nothing succeeded, or a fault that was
 * asked for never happened (a clock fault on a server that ignores libfaketime, a client
 * pause that never found a holder to stall). Each reason is a sentence for the summary.
 */
export function emptyPassReasons(history: readonly HistoryEvent[], floor: PassFloor): string[] {
  const reasons: string[] = [];
  let ok = 0;
  let invoked = 0;
  for (const e of history) {
    if (e.process === NEMESIS) continue;
    if (e.type === 'invoke') invoked++;
    else if (e.type === 'ok') ok++;
  }
  if (ok < floor.minOk) reasons.push(`only ${ok} of ${invoked} client operations succeeded, fewer than the ${floor.minOk} a verdict needs (--min-ok)`);
  const applied = new Set(faultIntervals(history).map((f) => f.fault));
  for (const kind of floor.faults) {
    if (applied.has(kind)) continue;
    const why = notAppliedReason(history, kind);
    reasons.push(`the ${kind} fault was asked for but never applied${why === undefined ? '' : ` (${why})`}`);
  }
  return reasons;
}

/** The reason the nemesis recorded for not applying `kind`, if it said. */
function notAppliedReason(history: readonly HistoryEvent[], kind: string): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i]!;
    if (e.process !== NEMESIS || e.type === 'invoke' || e.f !== `start-${kind}`) continue;
    if (e.error !== undefined) return e.error;
    const details = isObject(e.value) ? e.value['details'] : undefined;
    if (isObject(details) && typeof details['reason'] === 'string') return details['reason'];
  }
  return undefined;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/** Why the main phase ended, as far as the verdict is concerned. */
export type RunEnd = { readonly normal: true } | { readonly normal: false; readonly why: string };

/**
 * The run's verdict from its checkers', with the floor above: an anomaly stands however the
 * run ended (part of a history that is not linearizable is enough), but `valid` needs a run
 * that finished and proved something; otherwise `unknown`, with the reasons.
 */
export function decideVerdict(checkerVerdicts: readonly ('valid' | 'invalid' | 'unknown')[], end: RunEnd, emptyPass: readonly string[]): { verdict: 'valid' | 'invalid' | 'unknown'; reasons: string[] } {
  if (checkerVerdicts.includes('invalid')) return { verdict: 'invalid', reasons: [] };
  const reasons: string[] = [];
  if (checkerVerdicts.length === 0) reasons.push('no checker ran');
  if (!end.normal) reasons.push(`the run did not finish: ${end.why}`);
  reasons.push(...emptyPass);
  if (checkerVerdicts.includes('unknown')) reasons.unshift('a checker could not decide');
  return reasons.length > 0 ? { verdict: 'unknown', reasons } : { verdict: 'valid', reasons };
}
