import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HistoryEvent } from '../../../src/history/event.js';
import { serializeEvent } from '../../../src/history/formats/jsonl.js';
import { anyEvent, referenceLine as reference } from './arbitrary-events.js';

describe('serializeEvent', () => {
  it('writes exactly what JSON.stringify writes for the fields in their fixed order', () => {
    fc.assert(
      fc.property(anyEvent, (e) => {
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
