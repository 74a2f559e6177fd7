import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { SET_FINAL_READ, SET_READ, addsByElement, countWithExamples, duplicatesIn, elementKey, readElements, requireSetReads, sample } from './elements.js';

/** One read that no order of the set's growth can explain, and why. */
export interface BadRead {
  /** The read's invocation event. */
  event: number;
  process: number;
  size: number;
  /** Elements it should have held: acknowledged, or seen by a read that finished, before it began. */
  missing: Json[];
  missingCount: number;
  /** Elements it held before any add of them was invoked, or that were never added. */
  premature: Json[];
  prematureCount: number;
  duplicated: Json[];
}

export interface SetReadsResult {
  verdict: Verdict;
  explanation: string;
  reads: number;
  /** Reads with a problem (the first 10 kept in `examples`). */
  badReads: number;
  examples: BadRead[];
  /** Pairs of reads neither of which holds the other: a grow-only set cannot produce both. */
  incomparable: { count: number; examples: { a: number; b: number }[] };
}

const MAX_EXAMPLES = 10;

/**
 * Reads of the whole set against real time — necessary conditions of linearizability for a
 * grow-only set, cheap enough for any history: a read must hold every element acknowledged
 * before it began and every element a finished read already showed; it must not hold an
 * element whose add began after it ended (or was never attempted); and all reads must form
 * a chain under inclusion. Not a full linearizability search (see docs/workloads.md). Pure.
 */
export function checkSetReads(ops: readonly Operation[], file?: string): SetReadsResult {
  requireSetReads(ops, file);
  const adds = addsByElement(ops);
  const reads = ops.filter((o) => (o.f === SET_READ || o.f === SET_FINAL_READ) && o.type === 'ok').sort((a, b) => a.call - b.call);
  // What every read must hold by the time it begins: grows as acknowledgements and reads complete.
  const required = new Map<string, Json>();
  const events: { time: number; elements: Json[] }[] = [];
  for (const a of adds.values()) if (a.op.type === 'ok') events.push({ time: a.op.ret, elements: [a.element] });
  for (const r of reads) events.push({ time: r.ret, elements: readElements(r) });
  events.sort((x, y) => x.time - y.time);

  const bad: BadRead[] = [];
  let badCount = 0;
  let next = 0;
  for (const r of reads) {
    for (; next < events.length && events[next]!.time < r.call; next++) for (const e of events[next]!.elements) required.set(elementKey(e), e);
    const values = readElements(r);
    const held = new Set(values.map(elementKey));
    const missing: Json[] = [];
    for (const [k, e] of required) if (!held.has(k)) missing.push(e);
    const premature = values.filter((v) => {
      const add = adds.get(elementKey(v));
      return add === undefined || add.op.call > r.ret;
    });
    const duplicated = duplicatesIn(values);
    if (missing.length + premature.length + duplicated.length === 0) continue;
    badCount++;
    if (bad.length < MAX_EXAMPLES) {
      bad.push({
        event: r.invokeIndex,
        process: r.process,
        size: values.length,
        missing: sample(missing),
        missingCount: missing.length,
        premature: sample(premature),
        prematureCount: premature.length,
        duplicated: sample(duplicated),
      });
    }
  }

  const incomparable = chainBreaks(reads);
  const verdict: Verdict = badCount > 0 || incomparable.count > 0 ? 'invalid' : 'valid';
  const first = bad[0];
  const explanation =
    verdict === 'valid'
      ? `all ${reads.length} reads of the set are consistent with one order of its growth and with real time.`
      : [
          first === undefined
            ? ''
            : `${badCount} of ${reads.length} reads cannot be explained; e.g. the read at event ${first.event}` +
              (first.missingCount > 0 ? ` misses ${countWithExamples(first.missing)} element(s) acknowledged or already read before it began` : '') +
              (first.prematureCount > 0 ? ` holds ${countWithExamples(first.premature)} element(s) not yet (or never) added` : '') +
              (first.duplicated.length > 0 ? ` returns ${countWithExamples(first.duplicated)} element(s) twice` : ''),
          incomparable.count > 0 ? `${incomparable.count} pair(s) of reads each hold an element the other lacks` : '',
        ]
          .filter((s) => s !== '')
          .join('; ') + '.';
  return { verdict, explanation, reads: reads.length, badReads: badCount, examples: bad, incomparable };
}

/** Reads sorted by size must each be included in the next; every break is an incomparable pair. */
function chainBreaks(reads: readonly Operation[]): SetReadsResult['incomparable'] {
  const sets = reads.map((r) => ({ event: r.invokeIndex, keys: new Set(readElements(r).map(elementKey)) })).sort((a, b) => a.keys.size - b.keys.size);
  const examples: { a: number; b: number }[] = [];
  let count = 0;
  for (let i = 1; i < sets.length; i++) {
    const small = sets[i - 1]!;
    const big = sets[i]!;
    let included = true;
    for (const k of small.keys) {
      if (!big.keys.has(k)) {
        included = false;
        break;
      }
    }
    if (included) continue;
    count++;
    if (examples.length < MAX_EXAMPLES) examples.push({ a: small.event, b: big.event });
  }
  return { count, examples };
}
