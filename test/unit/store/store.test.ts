import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { InputError, UsageError } from '../../../src/errors.js';
import type { HistoryEvent } from '../../../src/history/event.js';
import { HistoryWriter } from '../../../src/store/history-writer.js';
import { EventLog } from '../../../src/history/event-log.js';
import { readHistoryJsonl } from '../../../src/store/read-history.js';
import { createRunDir, nodeDir, writeResultsJson, writeTestJson } from '../../../src/store/run-dir.js';
import { packageRoot } from '../../../src/version.js';
import { repeat } from '../../../src/generator/index.js';
import { runTest } from '../../../src/runner/run.js';
import { MemoryRegister, cluster } from '../runner/fakes.js';

const run = promisify(execFile);
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-store-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ev = (index: number): HistoryEvent => ({ index, time: index * 1000, process: index % 3, type: index % 2 === 0 ? 'invoke' : 'ok', f: 'write', value: index, key: 'k', node: 'n1' });

describe('createRunDir', () => {
  it('lays out store/<test>/<timestamp>/ with a latest link to the newest run', async () => {
    const store = join(dir, 'layout');
    const at = new Date('2026-11-22T06:13:36.123Z');
    const first = await createRunDir({ store, testName: 'etcd-register', startedAt: at });
    assert.equal(first.path, join(store, 'etcd-register', '20261122T061336.123Z'));
    const second = await createRunDir({ store, testName: 'etcd-register', startedAt: at });
    assert.equal(second.path, `${first.path}-2`, 'a second run in the same millisecond gets its own directory');
    assert.equal(await readlink(join(store, 'etcd-register', 'latest')), '20261122T061336.123Z-2');

    await writeTestJson(second, { name: 'etcd-register', seed: 7, startedAt: at.toISOString(), spec: { nodes: 5 }, versions: { faultline: '0.1.0', systems: { etcd: '3.4.23' } } });
    await writeResultsJson(second, { verdict: 'valid' });
    const test = JSON.parse(await readFile(join(store, 'etcd-register', 'latest', 'test.json'), 'utf8')) as { seed: number };
    assert.equal(test.seed, 7);
    assert.deepEqual(JSON.parse(await readFile(second.resultsPath, 'utf8')), { verdict: 'valid' });
    assert.ok((await stat(await nodeDir(second, 'n1'))).isDirectory());
  });

  it('refuses test and node names that are not plain directory names', async () => {
    for (const bad of ['../x', 'a/b', '', 'latest', '.hidden']) {
      await assert.rejects(createRunDir({ store: dir, testName: bad }), UsageError, bad);
    }
    const ok = await createRunDir({ store: dir, testName: 'names' });
    await assert.rejects(nodeDir(ok, '../../etc'), UsageError);
  });
});

describe('HistoryWriter', () => {
  it('flushes within 100 ms without being closed, and everything on close', async () => {
    const path = join(dir, 'flush.jsonl');
    const writer = new HistoryWriter(path);
    for (let i = 0; i < 10; i++) writer.append(ev(i));
    // Generous margin over the 100 ms flush interval, so a loaded machine does not fail it.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await readHistoryJsonl(path)).events.length, 10);
    writer.append(ev(10));
    writer.close();
    writer.close();
    const back = await readHistoryJsonl(path);
    assert.deepEqual(back.events, Array.from({ length: 11 }, (_, i) => ev(i)));
    assert.equal(back.tornTail, false);
  });

  it('leaves every appended line when the process dies of an uncaught exception', async () => {
    const path = join(dir, 'crash.jsonl');
    const script = join(dir, 'crash.ts');
    await writeFile(
      script,
      `import { HistoryWriter } from ${JSON.stringify(join(packageRoot, 'src/store/history-writer.ts'))};
       const w = new HistoryWriter(${JSON.stringify(path)});
       for (let i = 0; i < 500; i++) w.append({ index: i, time: i, process: 0, type: 'invoke', f: 'read', value: null });
       throw new Error('boom');`,
    );
    await assert.rejects(run(process.execPath, ['--import', 'tsx', script], { cwd: packageRoot }), /boom/);
    const back = await readHistoryJsonl(path);
    assert.equal(back.events.length, 500);
  });

  it('leaves every event of a followed log when the process dies of an uncaught exception', async () => {
    const path = join(dir, 'crash-log.jsonl');
    const script = join(dir, 'crash-log.ts');
    await writeFile(
      script,
      `import { HistoryWriter } from ${JSON.stringify(join(packageRoot, 'src/store/history-writer.ts'))};
       import { EventLog } from ${JSON.stringify(join(packageRoot, 'src/history/event-log.ts'))};
       const w = new HistoryWriter(${JSON.stringify(path)});
       const log = new EventLog();
       // More than one drain batch, so some lines are written before the crash and the rest by the exit hook.
       for (let i = 0; i < 5000; i++) {
         log.append(i, i % 3, i % 2 === 0 ? 'invoke' : 'ok', 'write', [i, 'é'], i % 7, 'n1');
         w.recorded(log);
       }
       throw new Error('boom');`,
    );
    await assert.rejects(run(process.execPath, ['--import', 'tsx', script], { cwd: packageRoot }), /boom/);
    const back = await readHistoryJsonl(path);
    assert.equal(back.events.length, 5000);
    assert.deepEqual(back.events[4999], { index: 4999, time: 4999, process: 1, type: 'ok', f: 'write', key: 1, value: [4999, 'é'], node: 'n1' });
  });

  it('follows one event log', () => {
    const writer = new HistoryWriter(join(dir, 'one-log.jsonl'));
    writer.recorded(new EventLog());
    assert.throws(() => writer.recorded(new EventLog()), /follows one event log/);
    writer.close();
  });
});

describe('a run recorded to its directory', () => {
  it('reads back exactly the history the runner returned', async () => {
    const runDir = await createRunDir({ store: join(dir, 'recorded'), testName: 'memory-register' });
    const writer = new HistoryWriter(runDir.historyPath);
    const store = new MemoryRegister();
    const result = await runTest({
      seed: 3,
      concurrency: 4,
      cluster: cluster(),
      routing: { kind: 'round-robin' },
      openClient: store.open,
      generator: repeat({ f: 'read', value: null }),
      opTimeoutMs: 100,
      timeLimitMs: 5_000,
      opLimit: 100,
      sink: writer,
    });
    writer.close();
    const back = await readHistoryJsonl(join(runDir.store, 'memory-register', 'latest', 'history.jsonl'));
    assert.equal(back.events.length, 200);
    assert.deepEqual(back.events, result.history);
  });
});

describe('readHistoryJsonl', () => {
  it('drops a torn last line and says so', async () => {
    const path = join(dir, 'torn.jsonl');
    await writeFile(path, `${JSON.stringify(ev(0))}\n${JSON.stringify(ev(1))}\n{"index":2,"time":20`);
    const back = await readHistoryJsonl(path);
    assert.deepEqual(back.events, [ev(0), ev(1)]);
    assert.equal(back.tornTail, true);
  });

  it('rejects a broken line that is not the last, naming it', async () => {
    const path = join(dir, 'broken.jsonl');
    await writeFile(path, `${JSON.stringify(ev(0))}\n{"index":1,\n${JSON.stringify(ev(2))}\n`);
    await assert.rejects(readHistoryJsonl(path), (err: unknown) => err instanceof InputError && err.line === 2);
    await writeFile(path, `${JSON.stringify({ index: 0 })}\n`);
    await assert.rejects(readHistoryJsonl(path), (err: unknown) => err instanceof InputError && err.line === 1);
  });
});
