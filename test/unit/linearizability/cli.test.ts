import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode } from '../../../src/exit-codes.js';
import { packageRoot } from '../../../src/version.js';
import { type CliResult, runCli } from '../../helpers/run-cli.js';

const porcupine = join(packageRoot, '..', 'shared', 'histories', 'porcupine');

const run = (...args: string[]): Promise<CliResult> => runCli('check', ...args);

describe('faultline check', () => {
  it('exits 0 for a linearizable history and says so in words', async () => {
    const r = await run(join(porcupine, 'jepsen', 'etcd_002.log'), '--model', 'cas-register');
    assert.equal(r.code, ExitCode.Valid);
    assert.match(r.out, /etcd_002\.log: linearizable/);
  });

  it('exits 1 for a violation and explains it; --json prints the whole result', async () => {
    const text = await run(join(porcupine, 'jepsen', 'etcd_000.log'), '--model', 'cas-register');
    assert.equal(text.code, ExitCode.Invalid);
    assert.match(text.out, /NOT linearizable[\s\S]*had to take effect before it returned/);
    const json = await run(join(porcupine, 'jepsen', 'etcd_000.log'), '--model', 'cas-register', '--json');
    const result = JSON.parse(json.out) as { verdict: string; partitions: { explanation?: unknown }[] };
    assert.equal(result.verdict, 'invalid');
    assert.ok(result.partitions[0]!.explanation !== undefined);
  });

  it('--shrink prints the smallest failing sub-history as events with their history indices, and --json carries it', async () => {
    const r = await run(join(porcupine, 'jepsen', 'etcd_000.log'), '--model', 'cas-register', '--shrink');
    assert.equal(r.code, ExitCode.Invalid);
    assert.match(r.out, /Smallest failing history found: \d+ of \d+ operations \(removing any one of them makes it valid; \d+ checks\):\n {2}\{"index":\d+/);
    const json = JSON.parse((await run(join(porcupine, 'jepsen', 'etcd_000.log'), '--model', 'cas-register', '--shrink', '--json')).out) as { shrunk: { events: unknown[]; minimal: boolean } };
    assert.ok(json.shrunk.minimal && json.shrunk.events.length >= 2);
  });

  it('exits 2 when the budget runs out', async () => {
    const r = await run(join(porcupine, 'kv', 'c10-bad.txt'), '--model', 'kv', '--no-partition', '--memory-limit', '1');
    assert.equal(r.code, ExitCode.Unknown);
    assert.match(r.out, /why unknown: memory limit reached/);
  });

  it('exits 3 with a message and a hint for bad flags and bad input', async () => {
    const noModel = await run(join(porcupine, 'jepsen', 'etcd_000.log'));
    assert.equal(noModel.code, ExitCode.Usage);
    assert.match(noModel.err, /check needs a checker: --model NAME or --workload NAME\n {2}hint: /);
    const badModel = await run(join(porcupine, 'jepsen', 'etcd_000.log'), '--model', 'registre');
    assert.equal(badModel.code, ExitCode.Usage);
    assert.match(badModel.err, /unknown model "registre"/);
    const dir = await mkdtemp(join(tmpdir(), 'faultline-check-'));
    const broken = join(dir, 'history.jsonl');
    await writeFile(broken, '{"process":0,"type":"invoke","f":"read","value":null}\n{"process":0,"type":\n');
    const bad = await run(broken, '--model', 'register');
    assert.equal(bad.code, ExitCode.Usage);
    assert.match(bad.err, /history\.jsonl:2: expected one JSON event object/);
    assert.doesNotMatch(bad.err, /at .*\.ts:\d+/);
  });

  it('says on stderr and in --json that a torn last line was left out, and calls the cut recording unknown, not valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-torn-'));
    const path = join(dir, 'torn.jsonl');
    await writeFile(path, '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"ok","f":"write","val');
    const text = await run(path, '--model', 'register');
    assert.equal(text.code, ExitCode.Unknown);
    assert.match(text.err, /torn\.jsonl:2: the last line is torn .*left out/);
    assert.match(text.out, /why unknown: the history ends in a torn line/);
    const json = JSON.parse((await run(path, '--model', 'register', '--json')).out) as { notes?: string[]; verdict: string };
    assert.equal(json.notes?.length, 1);
    assert.equal(json.verdict, 'unknown');
  });
});
