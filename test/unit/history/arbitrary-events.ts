import fc from 'fast-check';
import type { HistoryEvent, Json } from '../../../src/history/event.js';

/** What a JSON Lines record must be: JSON.stringify of the event's fields in their fixed order. */
export function referenceLine(e: HistoryEvent): string {
  const record: Record<string, unknown> = { index: e.index, time: e.time, process: e.process, type: e.type, f: e.f };
  if (e.key !== undefined) record['key'] = e.key;
  record['value'] = e.value;
  if (e.node !== undefined) record['node'] = e.node;
  if (e.error !== undefined) record['error'] = e.error;
  return `${JSON.stringify(record)}\n`;
}

const number = fc.oneof(fc.nat(), fc.integer(), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.constant(2 ** 60), fc.constant(Number.MAX_SAFE_INTEGER));
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\n', '\u2028', '\ud800', 'é€😀'));
/** The values a runner records most (which have a fast path) and any JSON. */
const value = fc.oneof(fc.constant(null), fc.maxSafeInteger(), fc.tuple(fc.maxSafeInteger(), fc.integer()), fc.jsonValue()) as fc.Arbitrary<Json>;

/** Any event, its fields anything JSON allows (strings with lone surrogates, -0, huge numbers). */
export const anyEvent: fc.Arbitrary<HistoryEvent> = fc.record(
  {
    index: fc.nat(),
    time: number,
    process: fc.oneof(fc.nat(), fc.constant('nemesis' as const)),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    f: text,
    value,
    key: fc.oneof(number, text),
    node: text,
    error: text,
  },
  { requiredKeys: ['index', 'time', 'process', 'type', 'f', 'value'] },
);
