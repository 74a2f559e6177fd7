import type { Explanation } from '../checker/linearizability/result.js';
import type { TxnAnomaly } from '../checker/txn/types.js';
import type { Verdict } from '../checker/verdict.js';
import type { Json, Key } from '../history/event.js';
import type { CheckerReport, LinearizabilityFailure } from './input.js';

type Obj = { [key: string]: Json };

export function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asVerdict(v: Json | undefined): Verdict | undefined {
  return v === 'valid' || v === 'invalid' || v === 'unknown' ? v : undefined;
}

/**
 * One entry of results.json's `checkers` (`{checker, verdict, details}`), or a checker's
 * whole result as `faultline check` writes it, turned into what the report draws. The
 * shape of `details` tells which checker it was: a linearizability result has a `model`
 * and partitions (all of them, or only the `notValid` ones); a transactional one has
 * `anomalies`; set and counter results carry an `explanation` sentence. Anything else is shown raw.
 */
export function checkerReport(entry: Json): CheckerReport {
  const o = isObj(entry) ? entry : {};
  const details: Json = isObj(o['details']) ? o['details'] : o;
  const d = isObj(details) ? details : {};
  const name = typeof o['checker'] === 'string' ? o['checker'] : 'checker';
  // A result without a readable verdict is one we cannot vouch for.
  const verdict = asVerdict(o['verdict']) ?? asVerdict(d['verdict']) ?? 'unknown';
  const reason = typeof d['reason'] === 'string' ? d['reason'] : undefined;
  const base = { name, verdict, details };

  const parts = Array.isArray(d['notValid']) ? d['notValid'] : Array.isArray(d['partitions']) ? d['partitions'] : undefined;
  if (typeof d['model'] === 'string' && parts !== undefined) {
    const failures = parts.filter(isObj).filter((p) => p['verdict'] !== 'valid').map(failure);
    const sh = d['shrunk'];
    const shrunk =
      isObj(sh) && Array.isArray(sh['events']) && typeof sh['ops'] === 'number' && typeof sh['of'] === 'number'
        ? { events: sh['events'], ops: sh['ops'], of: sh['of'], minimal: sh['minimal'] === true }
        : undefined;
    const sentence = linearizabilitySentence(verdict, d, failures, reason);
    return { ...base, kind: 'linearizability', model: d['model'], failures, sentence, ...(shrunk === undefined ? {} : { shrunk }) };
  }
  if (Array.isArray(d['anomalies'])) {
    const counts = isObj(d['anomalyCounts']) ? numbers(d['anomalyCounts']) : {};
    const consistency = typeof d['consistency'] === 'string' ? d['consistency'] : 'the chosen model';
    const notModels = Array.isArray(d['notModels']) ? d['notModels'].filter((m): m is string => typeof m === 'string') : [];
    const anomalies = d['anomalies'].filter(isObj) as unknown as TxnAnomaly[];
    return { ...base, kind: 'txn', consistency, anomalyCounts: counts, notModels, anomalies, sentence: txnSentence(verdict, consistency, counts, reason) };
  }
  // Set and counter checkers (and any other) that explain themselves in one sentence.
  if (typeof d['explanation'] === 'string') return { ...base, kind: 'other', sentence: explainedSentence(name, verdict, d['explanation']) };
  return { ...base, kind: 'other', sentence: plainSentence(name, verdict, reason ?? (typeof d['error'] === 'string' ? d['error'] : undefined)) };
}

function failure(p: Obj): LinearizabilityFailure {
  const f: LinearizabilityFailure = { key: typeof p['key'] === 'string' || typeof p['key'] === 'number' ? (p['key'] as Key) : null, verdict: asVerdict(p['verdict']) ?? 'unknown' };
  if (typeof p['reason'] === 'string') f.reason = p['reason'];
  if (typeof p['sentence'] === 'string') f.sentence = p['sentence'];
  const e = p['explanation'];
  if (isObj(e) && isObj(e['blocked']) && Array.isArray(e['prefix'])) f.explanation = e as unknown as Explanation;
  return f;
}

function numbers(o: Obj): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') out[k] = v;
  return out;
}

function linearizabilitySentence(verdict: Verdict, d: Obj, failures: LinearizabilityFailure[], reason: string | undefined): string {
  const keys = typeof d['keys'] === 'number' ? d['keys'] : Array.isArray(d['partitions']) ? d['partitions'].length : undefined;
  const of = keys === undefined ? '' : ` of ${keys}`;
  const model = String(d['model']);
  switch (verdict) {
    case 'valid':
      return `Linearizable: every operation${keys === undefined ? '' : ` on all ${keys} keys`} fits a single order consistent with real time (${model} model).`;
    case 'invalid': {
      const bad = failures.filter((f) => f.verdict === 'invalid');
      const which = bad.map((f) => (f.key === null ? 'the history' : `key ${String(f.key)}`)).join(', ');
      // The checkable sentence first (who, what, where, when, under which faults), then the count.
      const why = typeof d['explanation'] === 'string' ? `${d['explanation']} ` : '';
      return `${why}Not linearizable: ${bad.length}${of} key${(keys ?? bad.length) === 1 ? '' : 's'} (${which}) cannot be explained by any order of the operations (${model} model). See the counterexample below.`;
    }
    case 'unknown':
      return `Undecided: the checker could not tell whether the history is linearizable${reason === undefined ? '' : ` (${reason})`}.`;
  }
}

function txnSentence(verdict: Verdict, consistency: string, counts: Record<string, number>, reason: string | undefined): string {
  switch (verdict) {
    case 'valid':
      return `No anomalies: the transactions are consistent with ${consistency}.`;
    case 'invalid': {
      const list = Object.entries(counts).map(([t, n]) => `${n} × ${t}`).join(', ');
      return `Anomalies found${list === '' ? '' : `: ${list}`} — the history is not ${consistency}. The cycles are drawn below.`;
    }
    case 'unknown':
      return `Undecided: the transactional checker could not finish${reason === undefined ? '' : ` (${reason})`}.`;
  }
}

function explainedSentence(name: string, verdict: Verdict, explanation: string): string {
  const label = verdict === 'valid' ? 'valid' : verdict === 'invalid' ? 'violation' : 'undecided';
  return `${name} (${label}): ${explanation}`;
}

function plainSentence(name: string, verdict: Verdict, reason: string | undefined): string {
  const why = reason === undefined ? '' : ` (${reason})`;
  return verdict === 'valid' ? `${name}: valid.` : verdict === 'invalid' ? `${name}: found a violation${why}.` : `${name}: could not decide${why}.`;
}
