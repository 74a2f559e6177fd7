import type { Json } from '../../history/event.js';
import type { Explanation, LinearizabilityResult, OpView, PartitionResult } from './result.js';
import { exactJsonText } from '../../history/exact-json.js';

const VERDICT_WORDS = {
  valid: 'linearizable',
  invalid: 'NOT linearizable',
  unknown: 'could not decide (unknown)',
} as const;

/** At most this many invalid partitions are explained in text; --json has them all. */
const EXPLAINED = 3;

/** The result for people: the verdict in plain words and, when invalid, why. */
export function describeResult(file: string, r: LinearizabilityResult): string {
  const s = r.stats;
  const lines = [
    `${file}: ${VERDICT_WORDS[r.verdict]}`,
    `  ${r.model} model${r.init === null ? '' : ` (initial state ${show(r.init)})`}; ${s.ops} operations` +
      ` (${s.failed} failed and ${s.unknownReads} unknown reads dropped${s.nilReads > 0 ? `; ${s.nilReads} nil reads treated as unknown, as Knossos reads them (--nil-read absent to change)` : ''}${infoSettled(s)}), ${s.partitions} partition${s.partitions === 1 ? '' : 's'},` +
      ` ${Math.round(s.elapsedMs)} ms${s.workers > 0 ? ` on ${s.workers} threads` : ''}`,
  ];
  if (r.reason !== undefined) lines.push(`  why unknown: ${r.reason}`);
  const invalid = r.partitions.filter((p) => p.verdict === 'invalid');
  for (const p of invalid.slice(0, EXPLAINED)) lines.push('', ...describePartition(p));
  if (invalid.length > EXPLAINED) lines.push('', `  ... and ${invalid.length - EXPLAINED} more invalid partitions (see --json)`);
  return `${lines.join('\n')}\n`;
}

/** Info ops settled before the search, if any (see info-ops.ts). */
function infoSettled(s: LinearizabilityResult['stats']): string {
  const parts: string[] = [];
  if (s.infoDropped > 0) parts.push(`${s.infoDropped} unknown writes nobody read dropped`);
  if (s.infoBounded > 0) parts.push(`${s.infoBounded} unknown writes bounded by their first reader`);
  return parts.length === 0 ? '' : `; ${parts.join(', ')}`;
}

function describePartition(p: PartitionResult): string[] {
  const title = p.key === null ? 'The history' : `Key ${show(p.key)}`;
  const lines = [`${title} (${p.ops} operations) is not linearizable.`];
  if (p.sentence !== undefined) lines.push(`  ${p.sentence}`);
  if (p.explanation !== undefined) lines.push(...describeExplanation(p.explanation));
  return lines;
}

function describeExplanation(x: Explanation): string[] {
  if (x.conflict !== undefined) {
    return [`  ${op(x.blocked)} cannot be placed with ${op(x.conflict.with)}:`, `  ${x.conflict.why}.`];
  }
  if (x.overwrittenBy !== undefined) {
    return [
      `  ${op(x.blocked)} is impossible in any order: every operation that could write the value it needs`,
      `  took effect before ${op(x.overwrittenBy)} began, and that one completed before it began (a stale read).`,
    ];
  }
  if (x.impossible === true) {
    return [
      `  ${op(x.blocked)} is impossible in any order: from the initial state ${x.states.map(show).join(' or ')},`,
      '  no operation of the history can lead to a state it accepts (e.g. it read a value nobody wrote).',
    ];
  }
  const lines: string[] = [];
  const shown = x.prefix.length;
  lines.push(
    `  The longest linearizable prefix found has ${x.prefixLength} operation${x.prefixLength === 1 ? '' : 's'}` +
      (shown > 0 ? `${shown < x.prefixLength ? `; its last ${shown}` : ''}, in order (state after each):` : '.'),
  );
  for (const l of x.prefix) lines.push(`    ${op(l.op)}  ⇒ ${show(l.state)}`);
  lines.push(
    x.blocked.ret === null && x.blocked.by !== undefined
      ? `  Then ${op(x.blocked)} had to take effect by t=${x.blocked.by}, when an operation that read its value returned,`
      : `  Then ${op(x.blocked)} had to take effect before it returned (t=${x.blocked.ret ?? '∞'}),`,
    `  but from state ${x.states.map(show).join(' or ')} no operation could be placed next:`,
  );
  for (const c of x.candidates) {
    lines.push(`    ${op(c.op)}  ${c.outcome === 'rejected' ? 'impossible in that state' : 'possible, but nothing could follow it'}`);
  }
  if (x.concurrent.length > 0) {
    lines.push(`  Operations concurrent with ${label(x.blocked)}:`);
    for (const c of x.concurrent) lines.push(`    ${op(c)}`);
  }
  return lines;
}

/** The history's own `index` (greppable), of the completion when there is one. */
function label(o: OpView): string {
  return `#${o.completeIndex >= 0 ? o.completeIndex : o.invokeIndex}`;
}

/** `#12 p3 read → 4 [t=10..12]`, `#7 p1 cas [1,2] (outcome unknown) [t=5..]`. */
export function op(o: OpView): string {
  const key = o.key === undefined ? '' : ` ${show(o.key)}`;
  const input = o.input === null ? '' : ` ${show(o.input)}`;
  const result = o.type === 'info' ? ' (outcome unknown)' : o.output === null || sameText(o.input, o.output) ? '' : ` → ${show(o.output)}`;
  return `${label(o)} p${o.process} ${o.f}${key}${input}${result} [t=${o.call}..${o.ret ?? ''}]`;
}

function sameText(a: Json, b: Json): boolean {
  return exactJsonText(a) === exactJsonText(b);
}

function show(v: Json): string {
  const text = exactJsonText(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
