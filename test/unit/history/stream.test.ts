/**
 * The streaming reader (src/history/stream.ts) against the whole-text one: on random JSON
 * Lines files, read a few bytes at a time so that lines straddle reads and long lines grow
 * the buffer, the same events, notes (a torn tail) and errors (file, line, message); other
 * formats go through the whole-text reader.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../src/errors.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { serializeEvent } from '../../../src/history/formats/jsonl.js';
import { parseHistory } from '../../../src/history/read.js';
import { streamHistoryFile } from '../../../src/history/stream.js';

type Outcome = { events: HistoryEvent[]; notes: string[]; format?: string } | { error: string; line: number | undefined };

function whole(text: string, file: string): Outcome {
  const notes: string[] = [];
  try {
    return { events: parseHistory(text, file, notes), notes };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { error: err.message, line: err.line };
  }
}

async function streamed(file: string, chunk: number): Promise<Outcome> {
  const notes: string[] = [];
  const events: HistoryEvent[] = [];
  try {
    const r = await streamHistoryFile(file, (e) => events.push(e), notes, chunk);
    assert.equal(r.events, events.length);
    return { events, notes };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { error: err.message, line: err.line };
  }
}

const event = fc.record({
  index: fc.nat(1000),
  time: fc.nat(10 ** 12),
  process: fc.nat(9),
  type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
  f: fc.constantFrom('txn', 'read', 'write'),
  value: fc.oneof(fc.constant(null), fc.array(fc.tuple(fc.constantFrom('append', 'r'), fc.nat(5), fc.oneof(fc.nat(99), fc.string({ unit: 'binary', maxLength: 40 }))), { maxLength: 4 })),
}) as fc.Arbitrary<HistoryEvent>;

/** A file's lines with what real files hold besides events: blank lines, CRLF, a BOM, a torn or broken line. */
const file = fc.record({
  events: fc.array(event, { maxLength: 30 }),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  blankAt: fc.array(fc.nat(30), { maxLength: 3 }),
  tail: fc.constantFrom('newline', 'none', 'torn', 'broken-middle'),
  chunk: fc.integer({ min: 1, max: 64 }),
});

describe('streaming a history file', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-stream-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the events, notes and errors the whole-text reader gives, whatever the read size', async () => {
    let n = 0;
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const lines = f.events.map((e) => serializeEvent(e).trimEnd());
        for (const at of f.blankAt) lines.splice(Math.min(at, lines.length), 0, '  ');
        if (f.tail === 'broken-middle' && lines.length > 1) lines.splice(1, 0, '{"index":1,"ti');
        let text = (f.bom ? '\uFEFF' : '') + lines.join(f.crlf ? '\r\n' : '\n');
        if (f.tail === 'newline' || f.tail === 'broken-middle') text += '\n';
        if (f.tail === 'torn') text += '\n{"index":99,"time":';
        const path = join(dir, `h${n++}.jsonl`);
        await writeFile(path, text);
        const expected = whole(text, path);
        assert.deepEqual(await streamed(path, f.chunk), expected);
        const kind = 'error' in expected ? 'error' : expected.notes.length > 0 ? 'torn' : expected.events.length > 0 ? 'events' : 'empty';
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }),
      { numRuns: 300, seed: 2024 },
    );
    // Every outcome was compared, not only the easy one.
    for (const k of ['error', 'torn', 'events', 'empty']) assert.ok((kinds.get(k) ?? 0) > 0, `${k}: ${JSON.stringify([...kinds])}`);
  });

  it('reads a file larger than its buffer, with a line longer than the buffer, in order', async () => {
    const path = join(dir, 'long.jsonl');
    const events: HistoryEvent[] = Array.from({ length: 2000 }, (_, i) => ({ index: i, time: i, process: i % 7, type: 'invoke', f: 'txn', value: [['r', i, i % 100 === 0 ? 'x'.repeat(5000) : null]] }));
    const text = events.map((e) => serializeEvent(e)).join('');
    await writeFile(path, text);
    assert.deepEqual(await streamed(path, 1024), whole(text, path));
  });

  it('reads the other formats whole: EDN lines, an EDN vector, a JSON array', async () => {
    const texts = ['{:type :invoke, :f :txn, :value [[:append 1 2]], :process 0}\n{:type :ok, :f :txn, :value [[:append 1 2]], :process 0}\n', '[{:type :invoke :f :read :process 0}]', '[{"type":"invoke","value":[["r",1,null]],"process":0}]'];
    for (const [i, text] of texts.entries()) {
      const path = join(dir, `other${i}`);
      await writeFile(path, text);
      const expected = whole(text, path);
      assert.ok('events' in expected && expected.events.length > 0);
      assert.deepEqual(await streamed(path, 4), expected);
    }
  });

  it('says which file cannot be read, as the whole-text reader does', async () => {
    const missing = join(dir, 'missing.jsonl');
    await assert.rejects(streamHistoryFile(missing, () => {}), (err: unknown) => err instanceof InputError && /no such file/.test(err.message));
    await assert.rejects(streamHistoryFile(dir, () => {}), (err: unknown) => err instanceof InputError && /is a directory/.test(err.message));
  });
});
