import type { Json } from '../../history/event.js';
import { describeFault, type FaultInterval, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import type { Explanation, OpView } from './result.js';
import { exactJsonText } from '../../history/exact-json.js';

/**
 * The first thing a person reads about a non-linearizable key: one sentence they can check
 * against the history with grep — who did what on which node, when, at which history index,
 * under which faults, and what had last completed before it. E.g.
 * `p14 read null from n2 at 12.31 s (history index 733) while partition isolate-one (n2 | n1 n3)
 * was in effect (since 11.02 s); the last write to key 2 that had completed before it began was
 * write 0 by p5 on n1 at 11.90 s (history index 702).`
 */
export function whySentence(x: Explanation, ops: readonly Operation[], faults: readonly FaultInterval[]): string {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const blocked = x.blocked;
  const full = byId.get(blocked.id);
  const end = blocked.ret ?? blocked.by ?? Infinity;
  const parts = [`${act(blocked, full?.node)} at ${seconds(end === Infinity ? blocked.call : end)} (history index ${index(blocked)})`];
  const active = faultsDuring(faults, blocked.call, end);
  parts.push(
    active.length === 0
      ? ' with no fault in effect'
      : ` while ${active.map((f) => `${describeFault(f)} was in effect (since ${seconds(f.appliedAt)})`).join(' and ')}`,
  );
  parts.push(`; ${lastWrite(blocked, ops)}`);
  if (x.overwrittenBy !== undefined) parts.push(`; ${overwritten(x.overwrittenBy)}`);
  else if (x.conflict !== undefined) parts.push(`; it cannot be placed together with ${what(x.conflict.with)} by p${x.conflict.with.process} (history index ${index(x.conflict.with)}): ${x.conflict.why}`);
  else if (x.impossible === true) parts.push('; no order of the operations leads to a state where it could return that');
  else parts.push(`; the model could only be in state ${x.states.map(show).join(' or ')} when it had to take effect`);
  return `${parts.join('')}.`;
}

/** Why a stale read is stale: which op replaced the value for certain, and when. */
function overwritten(w: OpView): string {
  return `every operation that could have written the value it needs had completed before ${what(w)} by p${w.process} began at ${seconds(w.call)}, which completed at ${seconds(w.ret ?? w.by ?? w.call)} (history index ${index(w)}) before it began, so no order lets it see that value`;
}

/** `p14 read null from n2`, `p3 cas 1→2 on n1 (outcome unknown)`, `p5 write 7`. */
function act(o: OpView, node: string | undefined): string {
  const on = node === undefined ? '' : o.f === 'read' ? ` from ${node}` : ` on ${node}`;
  const unknown = o.type === 'info' ? ' (outcome unknown)' : '';
  const key = o.key === undefined ? '' : ` (key ${show(o.key)})`;
  return `p${o.process} ${what(o)}${on}${key}${unknown}`;
}

/** The operation without its key (the sentence names the key once). */
function what(o: Pick<OpView, 'f' | 'input' | 'output' | 'type'>): string {
  if (o.f === 'read') return `read ${o.type === 'ok' ? show(o.output) : '(no value)'}`;
  if (o.f === 'cas' && Array.isArray(o.input) && o.input.length === 2) return `cas ${show(o.input[0]!)}→${show(o.input[1]!)}`;
  if (o.f === 'write') return `write ${show(o.input)}`;
  const out = o.type === 'ok' && o.output !== null ? ` → ${show(o.output)}` : '';
  return `${o.f}${o.input === null ? '' : ` ${show(o.input)}`}${out}`;
}

/** The write (or successful cas) to the same key that completed last before `o` was invoked. */
function lastWrite(o: OpView, ops: readonly Operation[]): string {
  const sameKey = (p: Operation): boolean => (p.key === undefined ? o.key === undefined : o.key !== undefined && exactJsonText(p.key) === exactJsonText(o.key));
  let last: Operation | undefined;
  for (const p of ops) {
    if (p.type !== 'ok' || (p.f !== 'write' && p.f !== 'cas') || !sameKey(p) || p.ret >= o.call) continue;
    if (last === undefined || p.ret > last.ret) last = p;
  }
  const target = o.key === undefined ? '' : ` to key ${show(o.key)}`;
  if (last === undefined) return `no write${target} had completed before it began`;
  const by = `by p${last.process}${last.node === undefined ? '' : ` on ${last.node}`}`;
  return `the last write${target} that had completed before it began was ${what(last)} ${by} at ${seconds(last.ret)} (history index ${last.completeIndex})`;
}

function index(o: OpView): number {
  return o.completeIndex >= 0 ? o.completeIndex : o.invokeIndex;
}

function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(2)} s`;
}

function show(v: Json): string {
  const text = exactJsonText(v) ?? 'null';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
