import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../src/history/event.js';
import { packageRoot } from '../../src/version.js';
import { foreignImports } from './plugin-imports.js';
import { type CliRun, faultEvents, runAndInspect, staleReadsRun } from './run-helpers.js';

/**
 * The NATS JetStream KV example plugin (examples/plugins/nats/), run as a user runs a plugin:
 * `faultline run --system ./examples/plugins/nats/index.js`. Seeds fixed so the fault
 * schedule is the one measured in docs/systems.md ("Example plugin: NATS JetStream KV").
 */
const pluginDir = join(packageRoot, 'examples', 'plugins', 'nats');
const pluginRef = `./${relative(process.cwd(), join(pluginDir, 'index.js'))}`;

function natsRun(extra: readonly string[]): Promise<CliRun> {
  return runAndInspect(['--system', pluginRef, '--workload', 'register', '--nemesis', 'partition,kill', '--time-limit', '20', ...extra]);
}

describe('the NATS JetStream KV example plugin', () => {
  it('imports only faultline, nats, node: built-ins and its own files', async () => {
    const { foreign, usesFaultline } = await foreignImports(pluginDir, ['nats']);
    assert.deepEqual(foreign, [], 'a plugin may use only the faultline package root');
    assert.ok(usesFaultline, 'the plugin is written against the public API');
  });

  it('register under partitions and kills, reads from the stream leader: valid', async () => {
    const run = await natsRun(['--seed', '1422673728']);
    assert.equal(run.results.verdict, 'valid', JSON.stringify(run.results.checkers).slice(0, 2000));
    assert.equal(run.exitCode, 0);
    assert.ok(faultEvents(run.history, 'start-partition').length >= 1, 'a partition was started');
    assert.ok(faultEvents(run.history, 'start-kill').length >= 1, 'a node was killed');
    const ok = (f: string): number => run.history.filter((e) => e.type === 'ok' && e.f === f).length;
    assert.ok(ok('read') > 50 && ok('write') > 50 && ok('cas') > 10, `reads ${ok('read')}, writes ${ok('write')}, cas ${ok('cas')}`);
    // A CAS that lost its comparison is a definite failure, recorded as such.
    assert.ok(run.history.some((e) => e.type === 'fail' && e.f === 'cas' && e.error === 'cas-mismatch'));
  });

  it("direct gets from a replica's own copy: a stale read, invalid", async () => {
    // DIRECT.GET is answered from a replica's own copy. Sticky routing and keys that change every
    // 10 operations, one node cut off at a time (the runs shared by the built-in systems'
    // local-read modes): measured invalid in every run, the read missing a write that had
    // completed before it began — often the same process's own write through the same node.
    const run = await staleReadsRun(pluginRef, 'direct');
    const explanation = String((run.results.checkers[0]?.details as { explanation?: unknown }).explanation);
    // "… read V from nK … (history index R) …; the last write … was write W by … on nJ … (history index C) …"
    const m = /read (\S+) from (n\d+) .*?\(history index (\d+)\) .*? was (?:write|cas) (\S+) by \S+ on (n\d+) .*?\(history index (\d+)\)/.exec(explanation);
    assert.ok(m !== null, explanation);
    const [, readValue, readNode, readIndex, , , writeIndex] = m;
    // Checked against the history itself: an ok read began after that write had completed,
    // and returned something else.
    const read = run.history[Number(readIndex)] as HistoryEvent;
    const write = run.history[Number(writeIndex)] as HistoryEvent;
    assert.equal(read.f, 'read');
    assert.equal(read.type, 'ok');
    assert.equal(JSON.stringify(read.value), readValue);
    assert.equal(write.type, 'ok');
    const written = write.f === 'cas' && Array.isArray(write.value) ? write.value[1] : write.value;
    assert.notDeepEqual(read.value, written, 'the read missed the completed write');
    const readInvoke = [...run.history.slice(0, Number(readIndex))].reverse().find((e) => e.process === read.process && e.type === 'invoke');
    assert.equal(readInvoke?.node, readNode);
    assert.ok(readInvoke !== undefined && readInvoke.time > write.time, 'the read began after the write completed');
  });

  it('set: acknowledged adds lost (concurrent updates at the same revision both accepted), invalid', async () => {
    // Each add reads the array and updates it at the revision it read. nats-server 2.9.10
    // checks the expected revision before proposing, not in the Raft log, so two updates in
    // flight at once can both pass (nats-server issue 4320, fixed in 2.9.21): one add is lost.
    // No faults: the race needs none, and a run under partitions and kills may spend most of
    // its 20 s without a stream leader (measured: 34 acknowledged adds in one such run).
    const run = await runAndInspect(['--system', pluginRef, '--workload', 'set', '--time-limit', '10', '--seed', '279484440']);
    assert.equal(run.results.verdict, 'invalid', JSON.stringify(run.results.checkers).slice(0, 2000));
    assert.equal(run.exitCode, 1);
    // Checked against the history: the last read misses adds acknowledged before it began.
    const reads = run.history.filter((e) => e.f === 'read' && e.type === 'ok' && typeof e.process === 'number');
    const last = reads.at(-1);
    assert.ok(last !== undefined && Array.isArray(last.value), 'a final read');
    const began = [...run.history.slice(0, last.index)].reverse().find((e) => e.process === last.process && e.type === 'invoke');
    assert.ok(began !== undefined);
    const seen = new Set((last.value as unknown[]).map((v) => JSON.stringify(v)));
    const lost = run.history.filter((e) => e.f === 'add' && e.type === 'ok' && e.time < began.time && !seen.has(JSON.stringify(e.value)));
    assert.ok(lost.length > 0, 'an acknowledged add is missing from the final read');
  });
});
