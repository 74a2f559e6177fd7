import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { SET_ADD, SET_FINAL_READ, addsByElement, countWithExamples, duplicatesIn, elementKey, readElements, requireSetReads, sample } from './elements.js';

/** An outcome class of elements: how many, and the first few (sorted). */
export interface ElementGroup {
  count: number;
  elements: Json[];
}

export interface SetFinalResult {
  verdict: Verdict;
  /** One or two sentences a person can act on. */
  explanation: string;
  adds: { attempted: number; acknowledged: number; failed: number; indeterminate: number };
  /** The final read used (the last one that completed ok), or null when none did. */
  finalRead: { event: number; size: number } | null;
  /** Acknowledged adds missing from the final read. */
  lost: ElementGroup;
  /** Elements in the final read that no add ever attempted. */
  unexpected: ElementGroup;
  /** Elements the final read returned more than once. */
  duplicated: ElementGroup;
  /** Adds whose outcome was unknown (`info`) that the final read shows took effect. */
  recovered: ElementGroup;
  /** Adds that failed definitely, yet the final read holds them: the "did not happen" was wrong. */
  failedButPresent: ElementGroup;
  /** Indeterminate adds the final read does not hold (allowed: they may never have happened). */
  indeterminateAbsent: number;
}

const group = (values: readonly Json[]): ElementGroup => ({ count: values.length, elements: sample(values) });

/**
 * Judges a set history by its final read (after the faults healed): every acknowledged add
 * must be there, nothing that was never added, nothing twice. An add that failed definitely
 * must not be there either. Without a final read there is no verdict on loss (`unknown`),
 * unless an anomaly is already certain. Pure.
 */
export function checkSetFinal(ops: readonly Operation[], file?: string): SetFinalResult {
  requireSetReads(ops, file);
  const adds = addsByElement(ops);
  const addOps = ops.filter((o) => o.f === SET_ADD);
  const count = (t: Operation['type']): number => addOps.filter((o) => o.type === t).length;
  let final: Operation | undefined;
  for (const op of ops) if (op.f === SET_FINAL_READ && op.type === 'ok' && (final === undefined || op.ret >= final.ret)) final = op;

  const values = final === undefined ? [] : readElements(final);
  const present = new Set(values.map(elementKey));
  const lost: Json[] = [];
  const recovered: Json[] = [];
  const failedButPresent: Json[] = [];
  let indeterminateAbsent = 0;
  // An element added several times counts as acknowledged if any of its adds was.
  const outcome = new Map<string, Operation['type']>();
  for (const op of addOps) {
    const k = elementKey(op.input);
    const before = outcome.get(k);
    if (before === undefined || op.type === 'ok' || (op.type === 'info' && before === 'fail')) outcome.set(k, op.type);
  }
  if (final !== undefined) {
    for (const [k, type] of outcome) {
      const element = adds.get(k)?.element ?? null;
      const there = present.has(k);
      if (type === 'ok' && !there) lost.push(element);
      else if (type === 'info' && there) recovered.push(element);
      else if (type === 'info') indeterminateAbsent++;
      else if (type === 'fail' && there) failedButPresent.push(element);
    }
  }
  const unexpected = values.filter((v) => !adds.has(elementKey(v)));
  const duplicated = duplicatesIn(values);

  const problems: string[] = [];
  if (lost.length > 0) problems.push(`${countWithExamples(lost)} of ${count('ok')} acknowledged adds are missing from the final read (lost)${firstLoss(lost, addOps, final)}`);
  if (unexpected.length > 0) problems.push(`the final read holds ${countWithExamples(unexpected)} element(s) no add ever attempted`);
  if (duplicated.length > 0) problems.push(`the final read returns ${countWithExamples(duplicated)} element(s) more than once`);
  if (failedButPresent.length > 0) problems.push(`${countWithExamples(failedButPresent)} add(s) that failed definitely are in the final read`);
  const verdict: Verdict = problems.length > 0 ? 'invalid' : final === undefined ? 'unknown' : 'valid';
  const explanation =
    verdict === 'invalid'
      ? `${problems.join('; ')}.`
      : verdict === 'unknown'
        ? 'no final read completed, so lost adds cannot be told apart from ones not yet visible'
        : `all ${count('ok')} acknowledged adds are in the final read of ${values.length} elements` +
          (recovered.length > 0 ? `, as are ${recovered.length} of the ${count('info')} adds whose outcome was unknown` : '') +
          '.';
  return {
    verdict,
    explanation,
    adds: { attempted: addOps.length, acknowledged: count('ok'), failed: count('fail'), indeterminate: count('info') },
    finalRead: final === undefined ? null : { event: final.invokeIndex, size: values.length },
    lost: group(lost),
    unexpected: group(unexpected),
    duplicated: group(duplicated),
    recovered: group(recovered),
    failedButPresent: group(failedButPresent),
    indeterminateAbsent,
  };
}

/** Since when: the earliest lost element's acknowledged add, and the final read that lacks it. */
function firstLoss(lost: readonly Json[], addOps: readonly Operation[], final: Operation | undefined): string {
  const keys = new Set(lost.map(elementKey));
  const first = addOps.filter((o) => o.type === 'ok' && keys.has(elementKey(o.input))).sort((a, b) => a.ret - b.ret)[0];
  if (first === undefined || final === undefined) return '';
  const on = first.node === undefined ? '' : ` on ${first.node}`;
  const finalOn = final.node === undefined ? '' : ` from ${final.node}`;
  return `; the first, ${exactJsonText(first.input)}, was added by p${first.process}${on}, acknowledged at ${(first.ret / 1e9).toFixed(2)} s (history index ${first.completeIndex}), and is not in the final read${finalOn} at ${(final.ret / 1e9).toFixed(2)} s (history index ${final.completeIndex})`;
}

