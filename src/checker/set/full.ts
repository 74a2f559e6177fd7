import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import { type FaultInterval, describeFault, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { SET_ADD, SET_FINAL_READ, SET_READ, duplicatesIn, elementKey, readElements, requireSetReads, sample } from './elements.js';

export type ElementOutcome = 'stable' | 'lost' | 'never-read';

/** One element's timeline, as Jepsen's set-full tracks it (by history order of invocations). */
export interface ElementTimeline {
  element: Json;
  outcome: ElementOutcome;
  /** The add, or the first read that showed it, whichever completed first: from then on it certainly existed. */
  known?: Operation;
  /** The latest-invoked read that showed it, and the latest-invoked one that did not. */
  lastPresent?: Operation;
  lastAbsent?: Operation;
  /** ms from known to stable (0: every read begun after it was known showed it) or to lost. */
  stableLatencyMs?: number;
  lostLatencyMs?: number;
}

export interface SetFullResult {
  verdict: Verdict;
  explanation: string;
  attempts: number;
  stable: number;
  lost: Json[];
  neverRead: Json[];
  /** Stable elements some read begun after they were known missed (stale reads). */
  stale: Json[];
  duplicated: Json[];
  /** Quantiles of stable and lost latencies, ms. */
  stableLatencies?: Record<string, number>;
  lostLatencies?: Record<string, number>;
  /** The sentence for each lost (and, when linearizable, stale) element shown. */
  sentences: string[];
}

export interface SetFullOptions {
  /** Stale reads make the set invalid (Jepsen's `:linearizable? true`). */
  readonly linearizable?: boolean;
  readonly faults?: readonly FaultInterval[];
  /** The history's file, for input errors. */
  readonly file?: string;
}

const SHOWN = 5;

/**
 * Jepsen's set-full. For each added element: *known* once its add completed ok or a read
 * showed it; *stable* when the latest-invoked read that showed it was invoked after the
 * latest-invoked read that missed it; *lost* when it was known before a read that missed it
 * was invoked, and no read invoked later showed it; else *never read*. Invalid when an element
 * was lost, a read held an element twice, or — for a linearizable set — an element went
 * missing from a read begun after it was known (stale); unknown when nothing became stable.
 * (Jepsen's own duplicate count compares with `< 1` and never finds one; this one counts
 * elements a read holds more than once.) Pure.
 */
export function checkSetFull(ops: readonly Operation[], options: SetFullOptions = {}): SetFullResult {
  requireSetReads(ops, options.file);
  const timelines = elementTimelines(ops);
  const results = [...timelines.values()];
  const by = (o: ElementOutcome): ElementTimeline[] => results.filter((t) => t.outcome === o);
  const stable = by('stable');
  const lost = by('lost');
  const stale = stable.filter((t) => (t.stableLatencyMs ?? 0) > 0);
  const duplicated = duplicatesAcrossReads(ops);

  let verdict: Verdict = 'valid';
  if (lost.length > 0 || duplicated.length > 0 || (options.linearizable === true && stale.length > 0)) verdict = 'invalid';
  else if (stable.length === 0) verdict = 'unknown';

  const faults = options.faults ?? [];
  const sentences = [
    ...lost.slice(0, SHOWN).map((t) => lostSentence(t, faults)),
    ...(options.linearizable === true ? stale.slice(0, SHOWN).map((t) => staleSentence(t, faults)) : []),
  ];
  const parts: string[] = [];
  if (lost.length > 0) parts.push(`${lost.length} element(s) lost: ${sentences[0]}`);
  if (duplicated.length > 0) parts.push(`a read held ${sample(duplicated, 5).map((v) => exactJsonText(v)).join(', ')} more than once`);
  if (options.linearizable === true && stale.length > 0) parts.push(`${stale.length} element(s) read stale: ${staleSentence(stale[0]!, faults)}`);
  const explanation =
    verdict === 'invalid'
      ? `${parts.join('; ')}.`
      : verdict === 'unknown'
        ? `no element became stable (${results.length} attempted, ${by('never-read').length} never read after they were known): nothing to vouch for`
        : `${stable.length} of ${results.length} elements stable, none lost${stale.length > 0 ? `; ${stale.length} showed up late (stale reads; not an error unless the set is linearizable)` : ''}; ${by('never-read').length} never read after they were known.`;

  return {
    verdict,
    explanation,
    attempts: results.length,
    stable: stable.length,
    lost: sample(lost.map((t) => t.element), 100),
    neverRead: sample(by('never-read').map((t) => t.element), 100),
    stale: sample(stale.map((t) => t.element), 100),
    duplicated,
    ...optional('stableLatencies', quantiles(stable.map((t) => t.stableLatencyMs ?? 0))),
    ...optional('lostLatencies', quantiles(lost.map((t) => t.lostLatencyMs ?? 0))),
    sentences,
  };
}

/** Every attempted element's timeline, in history order (an element's reads count from its add's invocation on). */
export function elementTimelines(ops: readonly Operation[]): Map<string, ElementTimeline> {
  const states = new Map<string, { element: Json; addCall: number; known?: Operation; knownAt: number; lastPresent?: Operation; lastAbsent?: Operation }>();
  // Events in history order: an add's invocation, an add's completion, a read's completion.
  const steps: { at: number; run: () => void }[] = [];
  for (const o of ops) {
    if (o.f === SET_ADD) {
      const k = elementKey(o.input);
      steps.push({ at: o.invokeIndex, run: () => void (states.has(k) || states.set(k, { element: o.input, addCall: o.invokeIndex, knownAt: Infinity })) });
      if (o.type === 'ok') steps.push({ at: o.completeIndex, run: () => known(states.get(k), o) });
    } else if ((o.f === SET_READ || o.f === SET_FINAL_READ) && o.type === 'ok') {
      steps.push({
        at: o.completeIndex,
        run: () => {
          const held = new Set(readElements(o).map(elementKey));
          for (const [k, s] of states) {
            if (held.has(k)) {
              known(s, o);
              if (s.lastPresent === undefined || s.lastPresent.invokeIndex < o.invokeIndex) s.lastPresent = o;
            } else if (s.lastAbsent === undefined || s.lastAbsent.invokeIndex < o.invokeIndex) s.lastAbsent = o;
          }
        },
      });
    }
  }
  function known(s: { known?: Operation; knownAt: number } | undefined, o: Operation): void {
    if (s !== undefined && s.known === undefined) {
      s.known = o;
      s.knownAt = o.completeIndex;
    }
  }
  steps.sort((a, b) => a.at - b.at);
  for (const s of steps) s.run();

  const out = new Map<string, ElementTimeline>();
  for (const [k, s] of states) {
    const present = s.lastPresent?.invokeIndex ?? -1;
    const absent = s.lastAbsent?.invokeIndex ?? -1;
    const isStable = s.lastPresent !== undefined && absent < present;
    const isLost = s.known !== undefined && s.lastAbsent !== undefined && present < absent && s.knownAt < absent;
    const knownTime = s.known?.ret ?? 0;
    const t: ElementTimeline = { element: s.element, outcome: isStable ? 'stable' : isLost ? 'lost' : 'never-read' };
    if (s.known !== undefined) t.known = s.known;
    if (s.lastPresent !== undefined) t.lastPresent = s.lastPresent;
    if (s.lastAbsent !== undefined) t.lastAbsent = s.lastAbsent;
    if (isStable) t.stableLatencyMs = ms(Math.max(0, (s.lastAbsent === undefined ? 0 : s.lastAbsent.call + 1) - knownTime));
    if (isLost) t.lostLatencyMs = ms(Math.max(0, (s.lastPresent === undefined ? 0 : s.lastPresent.call + 1) - knownTime));
    out.set(k, t);
  }
  return out;
}

function duplicatesAcrossReads(ops: readonly Operation[]): Json[] {
  const dup = new Map<string, Json>();
  for (const o of ops) if ((o.f === SET_READ || o.f === SET_FINAL_READ) && o.type === 'ok') for (const v of duplicatesIn(readElements(o))) dup.set(elementKey(v), v);
  return [...dup.values()];
}

function lostSentence(t: ElementTimeline, faults: readonly FaultInterval[]): string {
  const known = t.known!;
  const absent = t.lastAbsent!;
  const how = known.f === SET_ADD ? `its add by ${who(known)} completed ok at ${secs(known.ret)} (history index ${known.completeIndex})` : `a read by ${who(known)} showed it at ${secs(known.ret)} (history index ${known.completeIndex})`;
  const seen = t.lastPresent === undefined ? 'no read ever showed it' : `the last read to show it began at ${secs(t.lastPresent.call)} (${who(t.lastPresent)}, history index ${t.lastPresent.invokeIndex})`;
  return `element ${exactJsonText(t.element)} existed (${how}), ${seen}, and the read by ${who(absent)} begun at ${secs(absent.call)} (history index ${absent.invokeIndex}) and every read begun after it missed it${faultText(faults, known.ret, absent.ret)}`;
}

function staleSentence(t: ElementTimeline, faults: readonly FaultInterval[]): string {
  const known = t.known!;
  const absent = t.lastAbsent!;
  return `element ${exactJsonText(t.element)} was known at ${secs(known.ret)} (history index ${known.completeIndex}), yet the read by ${who(absent)} begun at ${secs(absent.call)} (history index ${absent.invokeIndex}) missed it (stable ${t.stableLatencyMs} ms after it was known)${faultText(faults, known.ret, absent.ret)}`;
}

function faultText(faults: readonly FaultInterval[], from: number, to: number): string {
  const active = faultsDuring(faults, from, to).map(describeFault);
  return active.length === 0 ? '; no fault was in effect' : `; faults in effect: ${active.join('; ')}`;
}

function who(o: Operation): string {
  return `p${o.process}${o.node === undefined ? '' : ` (${o.node})`}`;
}

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(2)} s`;
}

function ms(ns: number): number {
  return Math.floor(ns / 1e6);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Latency quantiles (Jepsen's points), or undefined for no values. */
function quantiles(values: number[]): Record<string, number> | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
  return { '0': at(0), '0.5': at(0.5), '0.95': at(0.95), '0.99': at(0.99), '1': at(1) };
}
