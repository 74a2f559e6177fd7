import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-nil-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

/** Written 1, then read nil: only Knossos's reading (nil = value unknown) explains it. */
const NIL_AFTER_WRITE = '{:process 0, :type :invoke, :f :write, :value 1}\n{:process 0, :type :ok, :f :write, :value 1}\n{:process 1, :type :invoke, :f :read, :value nil}\n{:process 1, :type :ok, :f :read, :value nil}\n';
/** Written 1 then 2, then read 1: wrong under any reading. */
const STALE = '{:process 0, :type :invoke, :f :write, :value 1}\n{:process 0, :type :ok, :f :write, :value 1}\n{:process 0, :type :invoke, :f :write, :value 2}\n{:process 0, :type :ok, :f :write, :value 2}\n{:process 1, :type :invoke, :f :read, :value nil}\n{:process 1, :type :ok, :f :read, :value 1}\n';

describe('nil reads: Knossos reads them as "value unknown"', () => {
  it('Jepsen EDN follows Knossos by default and says so; --nil-read absent holds nil to "empty"', async () => {
    const path = await file('h.edn', NIL_AFTER_WRITE);
    const knossos = await runCli('check', path, '--model', 'cas-register');
    assert.equal(knossos.code, ExitCode.Valid);
    assert.match(knossos.out, /1 nil reads treated as unknown, as Knossos reads them/);
    assert.equal((await runCli('check', path, '--model', 'cas-register', '--nil-read', 'absent')).code, ExitCode.Invalid);
    const json = JSON.parse((await runCli('check', path, '--model', 'register', '--json')).out) as { stats: { nilReads: number } };
    assert.equal(json.stats.nilReads, 1);
  });

  it('a stale read stays invalid under both readings; faultline\'s own JSON Lines keep nil as empty', async () => {
    const path = await file('h.edn', STALE);
    assert.equal((await runCli('check', path, '--model', 'register')).code, ExitCode.Invalid);
    assert.equal((await runCli('check', path, '--model', 'register', '--nil-read', 'absent')).code, ExitCode.Invalid);
    const jsonl = await file('h.jsonl', '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"ok","f":"write","value":1}\n{"process":1,"type":"invoke","f":"read","value":null}\n{"process":1,"type":"ok","f":"read","value":null}\n');
    assert.equal((await runCli('check', jsonl, '--model', 'register')).code, ExitCode.Invalid);
    assert.equal((await runCli('check', jsonl, '--model', 'register', '--nil-read', 'any')).code, ExitCode.Valid);
    assert.equal((await runCli('check', jsonl, '--model', 'register', '--nil-read', 'anything')).code, ExitCode.Usage);
  });

  it('multi-register: nil micro-op reads are cut out, the others still judged', async () => {
    const txn = (reads: string): string => `{:process 0, :type :invoke, :f :txn, :value [[:write 0 1]]}\n{:process 0, :type :ok, :f :txn, :value [[:write 0 1]]}\n{:process 1, :type :invoke, :f :txn, :value ${reads}}\n{:process 1, :type :ok, :f :txn, :value ${reads}}\n`;
    assert.equal((await runCli('check', await file('m.edn', txn('[[:read 0 nil] [:read 1 nil]]')), '--model', 'multi-register')).code, ExitCode.Valid);
    assert.equal((await runCli('check', await file('m.edn', txn('[[:read 0 nil] [:read 1 5]]')), '--model', 'multi-register')).code, ExitCode.Invalid);
  });

  it('reading nil as unknown only ever removes constraints: valid with nil as empty ⇒ valid with nil as any', async () => {
    const history = fc.array(fc.tuple(fc.constantFrom('read', 'write', 'cas'), fc.constantFrom(null, 0, 1, 2), fc.constantFrom(null, 0, 1, 2), fc.boolean()), { maxLength: 8 }).map((ops) => {
      const events: HistoryEvent[] = [];
      ops.forEach(([f, a, b, overlap], p) => {
        const value = f === 'cas' ? [a, b] : f === 'write' ? a : null;
        const out = f === 'read' ? a : value;
        events.push({ index: events.length, time: events.length, process: p, type: 'invoke', f, value });
        if (!overlap) events.push({ index: events.length, time: events.length, process: p, type: 'ok', f, value: out });
      });
      ops.forEach(([f, a, , overlap], p) => {
        if (overlap) events.push({ index: events.length, time: events.length, process: p, type: 'ok', f, value: f === 'read' ? a : events.find((e) => e.process === p)!.value });
      });
      return events;
    });
    await fc.assert(
      fc.asyncProperty(history, async (events) => {
        const absent = await checkLinearizability(events, { model: 'cas-register', workers: 0 });
        const any = await checkLinearizability(events, { model: 'cas-register', workers: 0, nilReads: 'any' });
        if (absent.verdict === 'valid') assert.equal(any.verdict, 'valid');
        if (any.stats.nilReads === 0) assert.equal(any.verdict, absent.verdict);
      }),
      { numRuns: 300 },
    );
  });
});
