import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import type { Operation } from '../../history/operation.js';

/** The operation names the watch checkers read. */
export const WATCH_PUT = 'put';
export const WATCH_WATCH = 'watch';

export function pairsOf(v: Json): [string, Json][] {
  return Array.isArray(v) ? v.filter((p): p is Json[] => Array.isArray(p) && p.length === 2).map((p) => [String(p[0]), p[1] ?? null]) : [];
}

/**
 * A value some put wrote more than once (to any key), shown; `undefined` when every value is
 * unique. The checkers name an event's put by its value: with a duplicate they would guess.
 */
export function duplicateValue(puts: readonly Operation[]): string | undefined {
  const seen = new Set<string>();
  for (const p of puts) {
    for (const [, value] of pairsOf(p.input)) {
      const text = exactJsonText(value);
      if (seen.has(text)) return text;
      seen.add(text);
    }
  }
  return undefined;
}

export function proc(o: Operation): string {
  return `p${o.process}${o.node === undefined ? '' : ` (${o.node})`}`;
}

export function putName(p: Operation): string {
  const what = pairsOf(p.input).map(([k, v]) => `${k}=${show(v)}`).join(', ');
  const outcome = p.type === 'ok' ? `acknowledged at revision ${String(p.output)}` : p.type === 'info' ? 'outcome unknown' : 'failed';
  return `the put of ${what} by ${proc(p)} (history index ${p.invokeIndex}, ${outcome})`;
}

export function secs(ns: number): string {
  return Number.isFinite(ns) ? `${(ns / 1e9).toFixed(2)} s` : 'never';
}

export function show(v: Json): string {
  return exactJsonText(v);
}
