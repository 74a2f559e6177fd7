import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STREAM_OP } from '../../../src/checker/watch/settle.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';

/** A stored register-watched history: one JSONL event per line, as a run writes history.jsonl. */
function historyFile(name: string, ops: readonly { f: string; input: unknown; output: unknown; type: 'ok' | 'info'; call: number; ret: number }[]): string {
  const events: { time: number; order: number; e: Record<string, unknown> }[] = [];
  ops.forEach((o, p) => {
    events.push({ time: o.call, order: 0, e: { time: o.call, process: p, type: 'invoke', f: o.f, key: 'x', value: o.input } });
    events.push({ time: o.ret, order: 1, e: { time: o.ret, process: p, type: o.type, f: o.f, key: 'x', value: o.type === 'ok' ? o.output : o.input } });
  });
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  const path = join(mkdtempSync(join(tmpdir(), 'faultline-watched-')), name);
  writeFileSync(path, events.map((x, index) => JSON.stringify({ index, ...x.e })).join('\n') + '\n');
  return path;
}

const write = (v: number, type: 'ok' | 'info', call: number, ret: number) => ({ f: 'write', input: v, output: v, type, call, ret });
const read = (v: number, call: number) => ({ f: 'read', input: null, output: v, type: 'ok' as const, call, ret: call + 1 });
/** A stream window that delivered the given puts (value at revision). */
const stream = (call: number, ret: number, puts: readonly [number, number][]) => ({
  f: STREAM_OP,
  input: null,
  output: { from: 1, responses: [puts.map(([value, revision]) => ({ key: 'x', value, revision }))], interrupted: false },
  type: 'ok' as const,
  call,
  ret,
});

describe('faultline check --workload register-watched', () => {
  it('a write of unknown outcome the stream delivered happened by then: a later read of the old value is invalid, named with both', async () => {
    const file = historyFile('watched.jsonl', [write(1, 'ok', 0, 10), write(2, 'info', 20, 30), stream(25, 60, [[1, 2], [2, 3]]), read(1, 70)]);
    const r = await runCli('check', file, '--workload', 'register-watched');
    assert.equal(r.code, ExitCode.Invalid, r.out + r.err);
    assert.match(r.out, /linearizable: invalid/);
    assert.match(r.out, /read 1/);
  });

  it('the same history without the stream window is valid (the info write may never have happened), so the stream decided it', async () => {
    const without = historyFile('plain.jsonl', [write(1, 'ok', 0, 10), write(2, 'info', 20, 30), read(1, 70)]);
    const r = await runCli('check', without, '--workload', 'register-watched', '--json');
    assert.equal(r.code, ExitCode.Valid, r.out + r.err);
    const settled = JSON.stringify(JSON.parse(r.out));
    assert.match(settled, /"infoWrites":1/);
  });

  it('a malformed stream window is an exit-3 line naming its event, never read as an empty window', async () => {
    const notObject = historyFile('bad.jsonl', [write(1, 'ok', 0, 10), { ...stream(20, 30, []), output: 'nonsense' }]);
    const r = await runCli('check', notObject, '--workload', 'register-watched');
    assert.equal(r.code, ExitCode.Usage, r.out + r.err);
    assert.match(r.err, /bad\.jsonl: event 3 \(process 1\): the stream window's value is not an object/);
    assert.doesNotMatch(r.err, /\n\s+at /);
    const noRevision = historyFile('norev.jsonl', [write(1, 'ok', 0, 10), { ...stream(20, 30, []), output: { from: 1, responses: [[{ key: 'x', value: 1 }]] } }]);
    const r2 = await runCli('check', noRevision, '--workload', 'register-watched');
    assert.equal(r2.code, ExitCode.Usage, r2.out + r2.err);
    assert.match(r2.err, /without a numeric revision/);
  });
});
