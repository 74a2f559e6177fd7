import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { serializeEvent } from '../../../src/history/formats/jsonl.js';

/** What serializeEvent must produce: JSON.stringify of the fields in their fixed order. */
function reference(e: HistoryEvent): string {
  const record: Record<string, unknown> = { index: e.index, time: e.time, process: e.process, type: e.type, f: e.f };
  if (e.key !== undefined) record['key'] = e.key;
  record['value'] = e.value;
  if (e.node !== undefined) record['node'] = e.node;
  if (e.error !== undefined) record['error'] = e.error;
  return `${JSON.stringify(record)}\n`;
}

const number = fc.oneof(fc.nat(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.constant(2 ** 60));
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\n', '\u2028', '\ud800'));
const event: fc.Arbitrary<HistoryEvent> = fc.record(
  {
    index: fc.nat(),
    time: number,
    process: fc.oneof(fc.nat(), fc.constant('nemesis' as const)),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    f: text,
    value: fc.jsonValue() as fc.Arbitrary<Json>,
    key: fc.oneof(number, text),
    node: text,
    error: text,
  },
  { requiredKeys: ['index', 'time', 'process', 'type', 'f', 'value'] },
);

describe('serializeEvent', () => {
  it('writes exactly what JSON.stringify writes for the fields in their fixed order', () => {
    fc.assert(
      fc.property(event, (e) => {
        assert.equal(serializeEvent(e), reference(e));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves out a value a client handed back as undefined, as JSON.stringify does', () => {
    const e = { index: 1, time: 2, process: 0, type: 'ok', f: 'cas', value: undefined } as unknown as HistoryEvent;
    assert.equal(serializeEvent(e), reference(e));
  });

});
