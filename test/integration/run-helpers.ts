import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { DockerProvider } from '../../src/cluster/docker/docker-provider.js';
import { Label } from '../../src/cluster/labels.js';
import type { Node } from '../../src/cluster/node.js';
import type { HistoryEvent, Json } from '../../src/history/event.js';
import { pairHistory } from '../../src/history/operation.js';
import { readHistoryJsonl } from '../../src/store/index.js';
import { faultlineDropRules } from '../../nemesis/partition.js';
import { cliPath, labelled } from './cluster-helpers.js';

export interface CliRun {
  exitCode: number;
  stderr: string;
  results: { verdict: string; checkers: { checker: string; verdict: string; details: Json }[]; cluster: { id: string }; finalPhase: string; errors: string[]; faults: Json[] };
  history: HistoryEvent[];
  runDir: string;
}

/**
 * `faultline run … --leave-running --json` as a user runs it (the built CLI), then: the
 * history read back from disk and checked to be well-formed, no faultline iptables rule and
 * no stopped process left on any node, and the cluster torn down with nothing left behind.
 */
export async function runAndInspect(args: readonly string[], inspectNode?: (node: Node) => Promise<void>): Promise<CliRun> {
  const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-run-')));
  const r = await promisify(execFile)(process.execPath, [cliPath, 'run', ...args, '--store', store, '--leave-running', '--json'], { timeout: 240_000 }).then(
    (out) => ({ ...out, exitCode: 0 }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', exitCode: err.code ?? -1 }),
  );
  const docker = await connectDocker();
  const provider = new DockerProvider(docker);
  if (!r.stdout.trim().startsWith('{')) {
    // --leave-running kept the cluster for inspection; a run that crashed before printing its
    // results must not leave it behind either: its id is in the log line "cluster ID healthy".
    const id = /cluster (\S+) healthy/.exec(r.stderr)?.[1];
    if (id !== undefined) await provider.destroy(id).catch(() => undefined);
    assert.fail(`no results on stdout (exit ${r.exitCode}): ${r.stderr.slice(-2000)}`);
  }
  const results = JSON.parse(r.stdout) as CliRun['results'];
  try {
    const cluster = await provider.attach(results.cluster.id);
    for (const node of cluster.nodes) {
      assert.deepEqual(await faultlineDropRules(node), [], `${node.name} still has faultline DROP rules`);
      const ps = await node.exec(['sh', '-c', "ps -eo stat=,comm= | awk '$1 ~ /^T/'"]);
      assert.equal(ps.stdout.trim(), '', `${node.name} has stopped processes`);
      await inspectNode?.(node);
    }
  } finally {
    await provider.destroy(results.cluster.id);
  }
  assert.deepEqual(await labelled(docker, `${Label.run}=${results.cluster.id}`), { containers: 0, networks: 0 });

  const runDir = join(store, await readLatest(store));
  const { events, tornTail } = await readHistoryJsonl(join(runDir, 'history.jsonl'));
  assert.equal(tornTail, false);
  pairHistory(events); // throws on an ill-formed history (a process invoking twice, a stray completion)
  events.forEach((e, i) => assert.equal(e.index, i));
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.time >= events[i - 1]!.time, 'times are monotonic');
  const onDisk = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as CliRun['results'];
  assert.equal(onDisk.verdict, results.verdict);
  const testJson = JSON.parse(await readFile(join(runDir, 'test.json'), 'utf8')) as { versions: { systems: Record<string, string> } };
  assert.ok(Object.values(testJson.versions.systems).every((v) => v !== 'unknown' && v !== ''), 'the system version is recorded');
  return { exitCode: r.exitCode, stderr: r.stderr, results, history: events, runDir };
}

async function readLatest(store: string): Promise<string> {
  const [test] = await readdir(store);
  assert.ok(test !== undefined, 'no test directory in the store');
  return join(test, await readlink(join(store, test, 'latest')));
}

/**
 * Two runs side by side; both finish (and tear their clusters down) before either's failure
 * is thrown, so a failed run never leaves the other's cluster running past the test.
 */
export async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/** The nemesis's completions for `f` (start-partition, heal-all, …). */
export function faultEvents(history: readonly HistoryEvent[], f: string): HistoryEvent[] {
  return history.filter((e) => e.process === 'nemesis' && e.type === 'info' && e.f === f);
}

/**
 * A short run of `workload` on `system` under `nemesis`, asserting what holds whatever the
 * verdict: the run finished with a verdict, the workload's checkers ran, the faults are in
 * the history, and the cluster left nothing behind (see runAndInspect). No verdict is
 * asserted: none of these systems promises one under these faults in every configuration.
 * 12 s (was 20, as the set/append/bank/queue runs already are): with a fault step every ~3 s
 * that is several start/heal rounds, more than the assertions need (one start, one final heal,
 * one ok operation); seven runs use this, so the 8 s each saved ~1 minute of CI.
 */
export async function smokeRun(system: string, workload: string, nemesis: string, extra: readonly string[] = []): Promise<CliRun> {
  const run = await runAndInspect([
    '--system', system, '--workload', workload, '--nemesis', nemesis, '--nemesis-interval', '3',
    '--nodes', '3', '--concurrency', '6', '--time-limit', '12', '--op-timeout', '2', '--settle', '3', '--seed', '21', ...extra,
  ]);
  assert.ok([0, 1, 2].includes(run.exitCode), `exit ${run.exitCode}: ${run.stderr.slice(-1000)}`);
  assert.ok(['valid', 'invalid', 'unknown'].includes(run.results.verdict));
  const expected = workload === 'register' ? ['linearizable'] : workload === 'lock' ? ['mutual-exclusion'] : ['mutual-exclusion', 'lost-updates'];
  assert.deepEqual(run.results.checkers.map((c) => c.checker), expected);
  const kinds = nemesis.split(',');
  assert.ok(kinds.some((k) => faultEvents(run.history, `start-${k}`).length > 0), `no ${nemesis} fault in the history`);
  assert.equal(faultEvents(run.history, 'heal-all').length, 1);
  assert.ok(run.history.some((e) => e.type === 'ok' && typeof e.process === 'number'), 'some operation succeeded');
  return run;
}

/**
 * Reads served from a member's local state, while one member at a time is cut off: sticky
 * routing pins processes to every node, and keys change every 10 operations, so a key
 * created on the majority side during a partition reads as absent (null) on the cut-off
 * node after its partner wrote it — a value no write can explain. Asserts the run is invalid.
 */
export async function staleReadsRun(system: string, readMode: string): Promise<CliRun> {
  const run = await runAndInspect([
    '--system', system, '--workload', 'register', '--read-mode', readMode, '--routing', 'sticky',
    '--nemesis', 'partition', '--partition', 'isolate-one', '--nemesis-interval', '4', '--ops-per-key', '10',
    '--nodes', '3', '--concurrency', '12', '--time-limit', '25', '--op-timeout', '1', '--settle', '2', '--seed', '5',
  ]);
  assert.equal(run.results.verdict, 'invalid', JSON.stringify(run.results).slice(0, 2000));
  assert.equal(run.exitCode, 1);
  assert.ok(faultEvents(run.history, 'start-partition').length >= 1);
  return run;
}
