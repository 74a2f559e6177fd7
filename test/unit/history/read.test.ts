import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseExactJson } from '../../../src/history/exact-json.js';
import { InputError } from '../../../src/errors.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { serializeEvent, serializeHistory } from '../../../src/history/formats/jsonl.js';
import { pairHistory } from '../../../src/history/operation.js';
import { detectFormat, parseHistory, readHistoryFile } from '../../../src/history/read.js';
import { packageRoot } from '../../../src/version.js';

const shared = join(packageRoot, '..', 'shared', 'histories');

function inputError(fn: () => unknown, line: number | undefined, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    assert.equal(err.line, line);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('format detection', () => {
  it('picks the format from the content, not the name', () => {
    assert.equal(detectFormat('{"index":0}\n'), 'jsonl');
    assert.equal(detectFormat('{:index 0}\n'), 'edn-lines');
    assert.equal(detectFormat('; a comment\n{:index 0}\n'), 'edn-lines');
    assert.equal(detectFormat('[{:index 0}]'), 'edn-collection');
    assert.equal(detectFormat('({:index 0})'), 'edn-collection');
    assert.equal(detectFormat('[{"index":0}]'), 'json-array');
    assert.equal(detectFormat('[]'), 'json-array');
    assert.equal(detectFormat('INFO  jepsen.util - 3\t:invoke\t:read\tnil\n'), 'jepsen-log');
    assert.equal(detectFormat('  \n\n'), 'empty');
  });
});

describe('faultline JSON Lines', () => {
  it('reads every field and defaults time and index to the position', () => {
    const text = [
      '{"index":0,"time":5,"process":0,"type":"invoke","f":"write","key":"k","value":3,"node":"n1"}',
      '',
      '{"process":0,"type":"info","f":"write","value":3,"error":"timeout"}',
      '{"process":"nemesis","type":"info","f":"partition","value":["n1"]}',
    ].join('\n');
    const events = parseHistory(text, 'h.jsonl');
    assert.deepEqual(events, [
      { index: 0, time: 5, process: 0, type: 'invoke', f: 'write', value: 3, key: 'k', node: 'n1' },
      { index: 1, time: 1, process: 0, type: 'info', f: 'write', value: 3, error: 'timeout' },
      { index: 2, time: 2, process: 'nemesis', type: 'info', f: 'partition', value: ['n1'] },
    ]);
  });

  it('names the file, line and what was expected', () => {
    inputError(() => parseHistory('{"process":0,"type":"invoke","f":"read"}\n{"process":0,\n{"process":0,"type":"ok","f":"read"}\n', 'h.jsonl'), 2, /h\.jsonl:2: expected one JSON event/);
    inputError(() => parseHistory('{"process":0,"type":"started","f":"read"}', 'h.jsonl'), 1, /expected "type" to be one of invoke, ok, fail, info/);
    inputError(() => parseHistory('{"process":-1,"type":"ok","f":"read"}', 'h.jsonl'), 1, /"process"/);
    inputError(() => parseHistory('{"process":1,"type":"ok","f":"read","time":"x"}', 'h.jsonl'), 1, /"time"/);
  });

  it('drops a torn last line (a run killed mid-write) and keeps every complete one', () => {
    const events = parseHistory('{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"ok","f":"read","val', 'h.jsonl');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'invoke');
  });

  it('serializes events so they read back unchanged', () => {
    const event = fc.record(
      {
        index: fc.nat(),
        time: fc.nat(),
        process: fc.oneof(fc.nat(20), fc.constant('nemesis' as const)),
        type: fc.constantFrom('invoke' as const, 'ok' as const, 'fail' as const, 'info' as const),
        f: fc.string({ minLength: 1 }),
        // Integers beyond 2^53 read back as exact bigints: the canonical form of any JSON value.
        value: fc.jsonValue().map((v) => parseExactJson(JSON.stringify(v)) as HistoryEvent['value']),
        key: fc.oneof(fc.string(), fc.integer()),
        node: fc.string(),
        error: fc.string(),
      },
      { requiredKeys: ['index', 'time', 'process', 'type', 'f', 'value'] },
    );
    fc.assert(
      fc.property(fc.array(event.map((e) => ({ ...e })), { maxLength: 8 }), (events) => {
        assert.deepEqual(parseHistory(serializeHistory(events), 'h.jsonl'), events);
      }),
      { numRuns: 200 },
    );
    assert.equal(serializeEvent({ index: 0, time: 0, process: 1, type: 'ok', f: 'read', value: null }), '{"index":0,"time":0,"process":1,"type":"ok","f":"read","value":null}\n');
  });
});

describe('Jepsen EDN', () => {
  it('reads one map per line: keywords become strings, nil null, vectors arrays', () => {
    const text = [
      '; a Jepsen history',
      '{:index 0, :time 10, :type :invoke, :process 0, :f :txn, :value [[:append 1 2] [:r 1 nil]]}',
      '{:index 1, :time 20, :type :ok, :process 0, :f :txn, :value [[:append 1 2] [:r 1 [1 2]]]}',
      '{:index 2, :time 30, :type :info, :process :nemesis, :f :start, :value nil}',
    ].join('\n');
    const events = parseHistory(text, 'history.edn');
    assert.deepEqual(events[1], { index: 1, time: 20, process: 0, type: 'ok', f: 'txn', value: [['append', 1, 2], ['r', 1, [1, 2]]] });
    assert.equal(events[2]!.process, 'nemesis');
    assert.equal(pairHistory(events).nemesis.length, 1);
  });

  it('reads one vector or list of maps, and the kv histories with keys', async () => {
    const vector = parseHistory('[{:type :invoke :process 0 :f :read}\n ; comment\n {:type :ok :process 0 :f :read :value 1}]', 'h.edn');
    assert.deepEqual(vector.map((e) => [e.index, e.time, e.type, e.value]), [[0, 0, 'invoke', null], [1, 1, 'ok', 1]]);
    assert.equal(parseHistory('({:type :invoke :process 0 :f :read})', 'h.edn').length, 1);
    const kv = await readHistoryFile(join(shared, 'porcupine', 'kv', 'c01-ok.txt'));
    assert.deepEqual(kv[0], { index: 0, time: 0, process: 0, type: 'invoke', f: 'append', key: '0', value: 'x 0 0 y' });
  });

  it('reports unclosed and malformed maps with their line', () => {
    inputError(() => parseHistory('{:type :invoke :process 0 :f :read}\n{:type :ok :process 0', 'h.edn'), 2, /not closed/);
    inputError(() => parseHistory('{:type :invoke :process 0 :f :read}\n:oops', 'h.edn'), 2, /expected an EDN map/);
    inputError(() => parseHistory('[{:type :invoke :process 0 :f :read}', 'h.edn'), 1, /not closed/);
    inputError(() => parseHistory('[{:type :invoke :process :client :f :read}]', 'h.edn'), undefined, /event 0: expected "process"/);
  });
});

describe('jepsen.log text', () => {
  it('reads operation lines, skips the rest, turns a bare keyword value into the error', async () => {
    const text = [
      'INFO  jepsen.core - Running test',
      'INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]',
      'INFO  jepsen.util - 3   :info   :cas   :timed-out',
      'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
    ].join('\n');
    assert.deepEqual(parseHistory(text, 'jepsen.log'), [
      { index: 0, time: 0, process: 3, type: 'invoke', f: 'cas', value: [1, 4] },
      { index: 1, time: 1, process: 3, type: 'info', f: 'cas', value: null, error: 'timed-out' },
      { index: 2, time: 2, process: 'nemesis', type: 'info', f: 'start', value: null },
    ]);
    const etcd = await readHistoryFile(join(shared, 'porcupine', 'jepsen', 'etcd_000.log'));
    assert.equal(etcd.filter((e) => e.type === 'invoke').length, 85);
    assert.deepEqual(await readHistoryFile(join(shared, 'porcupine', 'jepsen', 'etcd_095.log')), []);
  });

  it('rejects text in no known format', () => {
    inputError(() => parseHistory('\nhello world\n', 'notes.txt'), 2, /unrecognised history format/);
  });
});

describe("Elle's JSON histories", () => {
  it('reads an array of op maps without f or time as transactions in array order', async () => {
    const events = await readHistoryFile(join(shared, 'elle-cli', 'list-append-anomaly-dirty-update.json'));
    assert.deepEqual(events[3], { index: 3, time: 3, process: 1, type: 'ok', f: 'txn', value: [['append', 1, 2]] });
    assert.ok(events.every((e, i) => e.time === i));
  });

  it('names the line of a syntax error', () => {
    inputError(() => parseHistory('[{"type":"invoke","process":0},\n {"type":"ok",]', 'h.json'), 2, /expected a JSON array/);
  });
});

describe('readHistoryFile', () => {
  it('says which file cannot be read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-read-'));
    await assert.rejects(readHistoryFile(join(dir, 'missing.jsonl')), (err: unknown) => err instanceof InputError && /no such file/.test(err.message));
    await writeFile(join(dir, 'h.jsonl'), '{"process":0,"type":"invoke","f":"read"}\n');
    assert.equal((await readHistoryFile(join(dir, 'h.jsonl'))).length, 1);
  });
});
