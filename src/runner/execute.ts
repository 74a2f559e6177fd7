import { join } from 'node:path';
import { connectDocker } from '../cluster/docker/engine.js';
import { DockerProvider } from '../cluster/docker/docker-provider.js';
import { ensureImages } from '../cluster/docker/image-build.js';
import type { Cluster, NodeProvider } from '../cluster/node.js';
import { onInterrupt } from '../cluster/teardown.js';
import { type Verdict, worstVerdict } from '../checker/verdict.js';
import { concurrently } from '../generator/combine.js';
import type { HistoryEvent, Json } from '../history/event.js';
import { type RunPlan, preflight } from '../spec/preflight.js';
import { type TestSpec, nodeResources, specJson } from '../spec/test-spec.js';
import { type RunDir, type TestRecord, HistoryWriter, createRunDir, writeJsonFile, writeResultsJson, writeTestJson } from '../store/index.js';
import { bringUp } from '../systems/bring-up.js';
import { capabilityProvider as defaultCapabilityProvider } from '../systems/capabilities.js';
import type { CapabilityProvider } from '../systems/client-options.js';
import { collectLogs, describeMissingLogs, nodeLogsJson } from '../systems/logs.js';
import { version } from '../version.js';
import { type NemesisWiring, buildNemesis, faultSchedule, nemesisWiring } from '../../nemesis/index.js';
import { nodeByName } from '../../nemesis/partition.js';
import type { CheckResult } from '../../workloads/workload.js';
import type { Client, OpenClient } from './client.js';
import { type RunResult, runTest } from './run.js';
import { errorText } from './outcome.js';
import type { Progress } from './stats.js';
import { summarizeRun } from './summary.js';

export interface ExecuteOptions {
  readonly spec: TestSpec;
  /** One line per step (creating nodes, healthy, checking, …). */
  readonly log?: (line: string) => void;
  readonly onProgress?: (progress: Progress) => void;
  /** Stops the run early: faults healed, final phase skipped, history still checked. */
  readonly signal?: AbortSignal;
  /** Default: Docker. */
  readonly provider?: NodeProvider;
  /** Default: the systems' own (`src/systems/capabilities.ts`). */
  readonly capabilityProvider?: (system: string) => CapabilityProvider;
}

export interface ExecuteResult {
  readonly verdict: Verdict;
  readonly runDir: string;
  readonly clusterId: string;
  readonly checkers: readonly CheckResult[];
  readonly results: Json;
  /** Failures while healing, collecting logs or tearing down: reported next to the verdict. */
  readonly errors: readonly string[];
  readonly interrupted: boolean;
}

/** How to ask each system for its version, on a node (the first line of output is kept). */
const VERSION_COMMANDS: Readonly<Record<string, string>> = {
  redis: 'redis-server --version',
  etcd: 'etcd --version',
  consul: 'consul version',
  zookeeper: 'echo srvr | nc -q1 localhost 2181',
};

/**
 * One test, start to end: validate → cluster up and healthy → workload and nemesis through
 * the runner → heal → final phase → check → results.json, node logs → teardown. Ctrl-C
 * (SIGINT/SIGTERM) stops the run the same way `signal` does, and the history is still
 * checked; a failure while healing or tearing down is reported next to the verdict.
 */
export async function executeTest(o: ExecuteOptions): Promise<ExecuteResult> {
  const log = o.log ?? (() => undefined);
  const plan = preflight(o.spec, o.capabilityProvider ?? defaultCapabilityProvider);
  const { spec, system } = plan;
  let provider = o.provider;
  let image = system.name;
  if (provider === undefined) {
    const docker = await connectDocker();
    const built = (await ensureImages(docker, [system.name], log)).get(system.name);
    if (built === undefined) throw new Error(`no image was built for ${system.name}`);
    image = built.ref;
    provider = new DockerProvider(docker);
  }
  const startedAt = new Date();
  const runDir = await createRunDir({ store: spec.store, testName: spec.name, startedAt });
  const record: TestRecord = { name: spec.name, seed: spec.seed, startedAt: startedAt.toISOString(), spec: specJson(spec), versions: { faultline: version, systems: {} } };
  await writeTestJson(runDir, record);
  log(`run directory ${runDir.path}`);

  const t0 = Date.now();
  const wiring = nemesisWiring(plan.nemesis, system.name, plan.workload.needs.includes('lock') ? 'acquire' : undefined);
  const cluster = await bringUp(provider, system, { nodes: spec.nodes, image, name: `run-${spec.name}`, log, resources: nodeResources(spec), ...(wiring.startOptions === undefined ? {} : { startOptions: wiring.startOptions }) });
  log(`cluster ${cluster.id} healthy: ${cluster.nodes.map((n) => `${n.name}=${n.address}`).join(' ')}`);
  const bringUpMs = Date.now() - t0;

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  o.signal?.addEventListener('abort', stop, { once: true });
  if (o.signal?.aborted === true) stop();
  const running = runOnCluster(plan, wiring, provider, cluster, runDir, record, controller.signal, log, o.onProgress, bringUpMs);
  // From here Ctrl-C stops the run gracefully; the teardown registry waits for it (bounded) and exits 130.
  const unregister = onInterrupt(`run ${spec.name} (cluster ${cluster.id})`, async () => {
    stop();
    await running.catch(() => undefined);
  });
  try {
    return await running;
  } finally {
    unregister();
    o.signal?.removeEventListener('abort', stop);
  }
}

async function runOnCluster(
  plan: RunPlan,
  wiring: NemesisWiring,
  provider: NodeProvider,
  cluster: Cluster,
  runDir: RunDir,
  record: TestRecord,
  signal: AbortSignal,
  log: (line: string) => void,
  onProgress: ((p: Progress) => void) | undefined,
  bringUpMs: number,
): Promise<ExecuteResult> {
  const { spec, system } = plan;
  const errors: string[] = [];
  const timings: Record<string, number> = { bringUpMs };
  let writer: HistoryWriter | undefined;
  try {
    record.versions.systems[system.name] = await systemVersion(cluster, system.name);
    await writeTestJson(runDir, record);
    writer = new HistoryWriter(runDir.historyPath);
    const historyWriter = writer;
    const nemesis = buildNemesis(plan.nemesis, system, cluster, wiring);
    const clientGen = wiring.wrap(plan.workload.generator(plan.workloadOptions));
    const final = plan.workload.final(plan.workloadOptions);
    log(`running ${plan.workload.name} for ${spec.timeLimitMs / 1000} s with ${spec.concurrency} processes${nemesis === undefined ? '' : `, nemesis ${spec.nemesis.join(',')}`}`);
    let t = Date.now();
    const run: RunResult = await runTest({
      seed: spec.seed,
      concurrency: spec.concurrency,
      cluster: { nodes: cluster.nodes.map((n) => n.name), leader: async () => (await system.leader(cluster))?.name },
      routing: plan.routing,
      openClient: workloadClients(plan, cluster),
      generator: nemesis === undefined ? clientGen : concurrently(clientGen, faultSchedule(plan.nemesis)),
      ...(final === undefined ? {} : { final }),
      ...(nemesis === undefined ? {} : { nemesis }),
      opTimeoutMs: spec.opTimeoutMs,
      timeLimitMs: spec.timeLimitMs,
      settleMs: nemesis === undefined ? 0 : spec.settleMs,
      signal,
      sink: historyWriter,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    timings['runMs'] = run.durationMs;
    errors.push(...run.errors);
    writer.close();

    log(`checking ${run.history.length} events`);
    t = Date.now();
    const checkers = await check(plan, run.history, errors);
    timings['checkMs'] = Date.now() - t;
    const verdict: Verdict = checkers.length === 0 ? 'unknown' : worstVerdict(checkers.map((c) => c.verdict));
    let nodeLogs: Json | undefined;
    const results = (): Json =>
      summarizeRun({ spec, cluster, run, checkers, verdict, errors, timings, readMode: plan.readMode, ...(nodeLogs === undefined ? {} : { nodeLogs }) });
    await writeResultsJson(runDir, results());

    t = Date.now();
    const logs = await collectLogs(system, cluster, join(runDir.path, 'nodes'));
    errors.push(...describeMissingLogs(logs));
    nodeLogs = nodeLogsJson(logs, runDir.path);
    await teardown(provider, cluster, spec, errors, log);
    timings['teardownMs'] = Date.now() - t;
    // Rewritten so that teardown failures and timings are in the file too; the verdict is already safe on disk.
    await writeJsonFile(runDir.resultsPath, results()).catch(() => undefined);
    return { verdict, runDir: runDir.path, clusterId: cluster.id, checkers, results: results(), errors, interrupted: run.stopReason === 'interrupted' };
  } catch (err) {
    try {
      writer?.close();
    } catch (closeErr) {
      errors.push(errorText(closeErr));
    }
    await teardown(provider, cluster, spec, errors, log);
    if (errors.length > 0) log(`also: ${errors.join('; ')}`);
    throw err;
  }
}

async function check(plan: RunPlan, history: readonly HistoryEvent[], errors: string[]): Promise<CheckResult[]> {
  try {
    return await plan.workload.check(history, plan.workloadOptions);
  } catch (err) {
    errors.push(`checker failed: ${errorText(err)}`);
    return [{ checker: plan.workload.name, verdict: 'unknown', details: { error: errorText(err) } }];
  }
}

async function teardown(provider: NodeProvider, cluster: Cluster, spec: TestSpec, errors: string[], log: (line: string) => void): Promise<void> {
  if (spec.leaveRunning) {
    log(`leaving cluster ${cluster.id} running (remove it with \`faultline cluster down ${cluster.id}\`)`);
    return;
  }
  try {
    await provider.destroy(cluster.id);
  } catch (err) {
    errors.push(`tearing down cluster ${cluster.id} failed: ${errorText(err)} (run \`faultline clean\`)`);
  }
}

/** Each process's client: the system's capabilities on one node, driven by the workload. */
export function workloadClients(plan: RunPlan, cluster: Cluster): OpenClient {
  const options = {
    readMode: plan.readMode,
    lockTtlMs: plan.spec.lockTtlMs,
    callTimeoutMs: plan.spec.opTimeoutMs,
    ...(plan.spec.redisWait === undefined ? {} : { redisWaitReplicas: plan.spec.redisWait }),
  };
  return async (nodeName): Promise<Client> => {
    const cc = await plan.capabilities.open(cluster, nodeByName(cluster, nodeName), options);
    return {
      node: nodeName,
      // What the workload throws is classified by the worker, with these first (no wrapper per call).
      classifiers: cc.classifiers,
      invoke: (op, signal) => plan.workload.invoke(cc.capabilities, op, { signal }, plan.workloadOptions),
      close: () => cc.close(),
    };
  };
}

async function systemVersion(cluster: Cluster, system: string): Promise<string> {
  const command = VERSION_COMMANDS[system];
  const node = cluster.nodes[0];
  if (command === undefined || node === undefined) return 'unknown';
  const r = await node.exec(['sh', '-c', command], { timeoutMs: 10_000 }).catch(() => undefined);
  return r?.stdout.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown';
}
