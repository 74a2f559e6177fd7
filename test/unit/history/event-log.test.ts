import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HistoryEvent } from '../../../src/history/event.js';
import { EventLog } from '../../../src/history/event-log.js';
import { anyEvent, referenceLine } from './arbitrary-events.js';

/** A log of `events`, appended in order (their own indexes are replaced by their positions). */
function logOf(events: readonly HistoryEvent[]): { log: EventLog; expected: HistoryEvent[] } {
  const log = new EventLog();
  const expected = events.map((e, index) => {
    log.append(e.time, e.process, e.type, e.f, e.value, e.key, e.node, e.error);
    return { ...e, index };
  });
  return { log, expected };
}

/** Every record of `log`, encoded one after another into buffers of `size` bytes (a fresh one when full). */
function encodeAll(log: EventLog, size: number): string {
  let text = '';
  let out = Buffer.alloc(size);
  let at = 0;
  for (let i = 0; i < log.length; i++) {
    let end = log.encodeLine(i, out, at);
    if (end < 0) {
      text += out.toString('utf8', 0, at);
      out = Buffer.alloc(Math.max(size, -end));
      at = 0;
      end = log.encodeLine(i, out, 0);
    }
    assert.ok(end > at, `record ${i} did not fit in a buffer of the size it asked for`);
    at = end;
  }
  return text + out.toString('utf8', 0, at);
}

describe('EventLog', () => {
  it('gives back every event as recorded, in order, past several regrowths', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 3000 }), (events) => {
        const { log, expected } = logOf(events);
        assert.equal(log.length, events.length);
        assert.deepStrictEqual(log.events(), expected);
        if (events.length > 2) assert.deepStrictEqual(log.events(1, 2), [expected[1]]);
      }),
      { numRuns: 60 },
    );
  });

  it('encodes exactly the bytes of JSON.stringify of each event, even in buffers too small for some records', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 200 }), fc.integer({ min: 64, max: 4096 }), (events, size) => {
        const { log, expected } = logOf(events);
        // A string with lone surrogates is not valid UTF-8: compare what both sides decode to.
        const reference = Buffer.from(expected.map(referenceLine).join(''), 'utf8').toString('utf8');
        assert.equal(encodeAll(log, size), reference);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a long history across its chunks', () => {
    const events = Array.from({ length: 40_000 }, (_, i): HistoryEvent => ({ index: i, time: i * 1_000_003, process: i % 10, type: i % 2 === 0 ? 'invoke' : 'ok', f: 'write', value: i, key: i % 7, node: `n${i % 3}` }));
    const { log, expected } = logOf(events);
    assert.deepStrictEqual(log.events(), expected);
    assert.equal(encodeAll(log, 64 * 1024), expected.map(referenceLine).join(''));
  });

  it('leaves out an undefined value, as JSON.stringify does', () => {
    const log = new EventLog();
    log.append(5, 0, 'ok', 'cas', undefined as unknown as null);
    assert.equal(encodeAll(log, 1024), '{"index":0,"time":5,"process":0,"type":"ok","f":"cas"}\n');
  });

  it('refuses an index it does not hold', () => {
    const log = new EventLog();
    log.append(0, 0, 'invoke', 'read', null);
    assert.throws(() => log.event(1), RangeError);
    assert.throws(() => log.encodeLine(-1, Buffer.alloc(512), 0), RangeError);
  });
});
