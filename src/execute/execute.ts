import { join } from 'node:path';
import type { Cluster, NodeProvider } from '../cluster/node.js';
import { type Interruption, onInterrupt } from '../cluster/teardown.js';
import type { Verdict } from '../checker/verdict.js';
import { concurrently } from '../generator/combine.js';
import type { HistoryEvent, Json } from '../history/event.js';
import { type PlanOverrides, type RunPlan, planResources, planRun } from './plan.js';
import { openProvider } from '../cluster/providers.js';
import { localBootId } from '../cluster/host-clock.js';
import { UsageError } from '../errors.js';
import { type TestSpec, specJson } from '../spec/test-spec.js';
import { type RunDir, type TestRecord, HistoryWriter, createRunDir, writeJsonFile, writeResultsJson, writeTestJson } from '../store/index.js';
import { bringUp } from '../systems/bring-up.js';
import type { SystemDescriptor } from '../systems/index.js';
import { collectLogs, describeMissingLogs, nodeLogsJson } from '../systems/logs.js';
import { version } from '../version.js';
import { type NemesisWiring, buildNemesis, faultSchedule, nemesisWiring } from '../../nemesis/index.js';
import { replaySchedule } from '../../nemesis/replay.js';
import { runPrivileges } from '../../nemesis/privileges.js';
import type { ClientFreezer } from '../../nemesis/client-pause.js';
import type { CheckResult } from '../../workloads/workload.js';
import { ClientHosts } from '../runner/client-host.js';
import type { OpenClient } from '../runner/client.js';
import { type RunEnd, decideVerdict, emptyPassReasons } from './guards.js';
import { drainIncidents } from '../runner/incidents.js';
import { type RunResult, runTest } from '../runner/run.js';
import { errorText } from '../runner/outcome.js';
import type { Progress } from '../runner/stats.js';
import { summarizeRun } from './summary.js';
import { workloadClientFactory, workloadClients } from './clients.js';
import { exactJsonText } from '../history/exact-json.js';

export { workloadClients } from './clients.js';

export interface ExecuteOptions {
  readonly spec: TestSpec;
  /** One line per step (creating nodes, healthy, checking, …). */
  readonly log?: (line: string) => void;
  readonly onProgress?: (progress: Progress) => void;
  /** Stops the run early: faults healed, final phase skipped, history still checked. */
  readonly signal?: AbortSignal;
  /** Where the nodes come from (default: Docker). */
  readonly provider?: NodeProvider;
  /** Parts of the plan a test replaces (a client without a database). */
  readonly overrides?: PlanOverrides;
}

export interface ExecuteResult {
  readonly verdict: Verdict;
  /** Why the verdict is `unknown` (a checker undecided, the run cut short, an empty pass). */
  readonly verdictReasons: readonly string[];
  readonly runDir: string;
  readonly clusterId: string;
  readonly checkers: readonly CheckResult[];
  readonly results: Json;
  /** Failures while healing, collecting logs or tearing down: reported next to the verdict. */
  readonly errors: readonly string[];
  /** Stopped by Ctrl-C / SIGTERM (exit 130; never green). */
  readonly interrupted: boolean;
}

/**
 * One test, start to end: validate → cluster up and healthy → workload and nemesis through
 * the runner → heal → final phase → check → results.json, node logs → teardown. Ctrl-C
 * (SIGINT/SIGTERM) stops the run the same way `signal` does, and the history is still
 * checked; so does an internal error elsewhere in the process (its verdict is then
 * `unknown`). A run that broke (its history could not be written) is checked, recorded and
 * torn down like any other, and its failure is raised last.
 */
export async function executeTest(o: ExecuteOptions): Promise<ExecuteResult> {
  const log = o.log ?? (() => undefined);
  const planned = await planRun(o.spec, o.overrides);
  const { spec, system } = planned;
  const provider = o.provider ?? (await openProvider());
  const image = await provider.prepare({ name: system.name, ...system.install }, log);
  const plan = await withoutRefusedFaults(planned, provider);
  for (const skipped of plan.skippedFaults) log(`not part of \`all\` here: ${skipped}`);
  const startedAt = new Date();
  const runDir = await createRunDir({ store: spec.store, testName: spec.name, startedAt });
  // Clients run in processes of their own when a client pause must freeze them whole.
  const isolated = plan.nemesis.kinds.includes('client-pause') && o.overrides?.client === undefined;
  // Only runs with disk faults get /dev/fuse and CAP_SYS_ADMIN, only runs with vDSO clock faults CAP_SYS_PTRACE; every other run stays NET_ADMIN only.
  const privileges = runPrivileges(plan.nemesis.kinds, system, plan.nemesis.clockScope);
  const record: TestRecord = {
    name: spec.name,
    seed: spec.seed,
    startedAt: startedAt.toISOString(),
    spec: specJson(spec),
    versions: { faultline: version, systems: {} },
    clients: isolated ? 'a child process per worker (client pauses freeze it with SIGSTOP)' : 'in the runner process',
    resources: planResources(plan),
    provider: provider.name,
    image,
    ...(plan.skippedFaults.length === 0 ? {} : { skippedFaults: [...plan.skippedFaults] }),
    ...(privileges === undefined ? {} : { privileges: { capAdd: [...privileges.capAdd], devices: [...privileges.devices], for: [...privileges.for] } }),
  };
  await writeTestJson(runDir, record);
  log(`run directory ${runDir.path}`);

  const t0 = Date.now();
  const freezer = new LateFreezer();
  const wiring = nemesisWiring(plan.nemesis, system, plan.workload.pauseAfter, isolated ? freezer : undefined);
  const cluster = await bringUp(provider, system, { nodes: spec.nodes, image, name: `run-${spec.name}`, log, resources: planResources(plan), ...(privileges === undefined ? {} : { privileges }), ...(wiring.startOptions === undefined ? {} : { startOptions: wiring.startOptions }) });
  log(`cluster ${cluster.id} healthy: ${cluster.nodes.map((n) => `${n.name}=${n.address}`).join(' ')}`);
  const bringUpMs = Date.now() - t0;

  const controller = new AbortController();
  const stopped: { why?: Interruption } = {};
  const stop = (why: Interruption): void => {
    stopped.why ??= why;
    controller.abort();
  };
  const onSignal = (): void => stop({ kind: 'signal', signal: 'abort' });
  o.signal?.addEventListener('abort', onSignal, { once: true });
  if (o.signal?.aborted === true) onSignal();
  const running = runOnCluster({ plan, wiring, freezer, isolated, provider, cluster, runDir, record, signal: controller.signal, stopped, log, onProgress: o.onProgress, bringUpMs });
  // From here Ctrl-C (or a crash) stops the run gracefully; the teardown registry waits for it (bounded).
  const unregister = onInterrupt(`run ${spec.name} (cluster ${cluster.id})`, async (why) => {
    stop(why);
    await running.catch(() => undefined);
  });
  try {
    return await running;
  } finally {
    unregister();
    o.signal?.removeEventListener('abort', onSignal);
  }
}

/**
 * The plan without the fault kinds the provider's nodes cannot take (clock faults on SSH
 * hosts sharing a kernel): under `all` they are skipped like the system's own refusals;
 * named, they are a UsageError before any node is touched. The clock scope is settled here
 * (the spec's, else the provider's default), and a host scope carries the control machine's
 * boot id, the kernel whose clock is never set.
 */
export async function withoutRefusedFaults(planned: RunPlan, provider: NodeProvider): Promise<RunPlan> {
  const scopes = provider.clockScopes ?? ['process'];
  const clockScope = planned.spec.clockScope ?? scopes[0] ?? 'process';
  let plan = planned;
  if (plan.nemesis.kinds.includes('clock')) {
    if (!scopes.includes(clockScope)) {
      throw new UsageError(`--clock-scope ${clockScope}: the ${provider.name} provider's nodes cannot have their own clocks set (they share this machine's kernel)`, `use --clock-scope ${scopes.join(' or ')}`);
    }
    plan = { ...plan, nemesis: { ...plan.nemesis, clockScope, ...(clockScope === 'host' ? { controlBootId: await localBootId() } : {}) } };
  }
  if (provider.refuseFault === undefined) return plan;
  const all = plan.spec.nemesis.includes('all');
  const kinds: RunPlan['nemesis']['kinds'][number][] = [];
  const skipped = [...plan.skippedFaults];
  for (const kind of plan.nemesis.kinds) {
    const why = await provider.refuseFault(kind, { clockScope });
    if (why === undefined) kinds.push(kind);
    else if (all) skipped.push(`${kind}: ${why}`);
    else throw new UsageError(why, kind === 'clock' && clockScope === 'host' && scopes.includes('process') ? 'use --clock-scope process (the database\'s own clock, through libfaketime or the vDSO helper), or leave clock out of --nemesis' : `leave ${kind} out of --nemesis (\`all\` skips it), or use --provider docker`);
  }
  return kinds.length === plan.nemesis.kinds.length ? plan : { ...plan, nemesis: { ...plan.nemesis, kinds }, skippedFaults: skipped };
}

/** The freezer the pause board is built with before the client processes exist. */
class LateFreezer implements ClientFreezer {
  hosts: ClientHosts | undefined;
  freeze(thread: number): number | undefined {
    return this.hosts?.freeze(thread);
  }
  thaw(thread: number): void {
    this.hosts?.thaw(thread);
  }
}

interface RunContext {
  readonly plan: RunPlan;
  readonly wiring: NemesisWiring;
  readonly freezer: LateFreezer;
  readonly isolated: boolean;
  readonly provider: NodeProvider;
  readonly cluster: Cluster;
  readonly runDir: RunDir;
  readonly record: TestRecord;
  readonly signal: AbortSignal;
  readonly stopped: { why?: Interruption };
  readonly log: (line: string) => void;
  readonly onProgress: ((p: Progress) => void) | undefined;
  readonly bringUpMs: number;
}

async function runOnCluster(c: RunContext): Promise<ExecuteResult> {
  const { plan, cluster, runDir, log } = c;
  const { spec, system } = plan;
  const errors: string[] = [];
  const timings: Record<string, number> = { bringUpMs: c.bringUpMs };
  let hosts: ClientHosts | undefined;
  let writer: HistoryWriter | undefined;
  let run: RunResult | undefined;
  try {
    c.record.versions.systems[system.name] = await systemVersion(cluster, system);
    await writeTestJson(runDir, c.record);
    writer = new HistoryWriter(runDir.historyPath);
    let openClient: OpenClient = workloadClients(plan, cluster);
    if (c.isolated) {
      hosts = new ClientHosts(workloadClientFactory(plan, cluster), spec.concurrency);
      c.freezer.hosts = hosts;
      await hosts.start();
      openClient = hosts.openClient;
    }
    drainIncidents();
    run = await mainPhase(c, openClient, writer);
  } catch (err) {
    // Nothing ran (a nemesis that would not set up, a client process that would not start):
    // no verdict to record; the cluster still goes.
    await closeAll(hosts, writer, errors);
    await teardown(c.provider, cluster, spec, errors, log);
    if (errors.length > 0) log(`also: ${errors.join('; ')}`);
    throw err;
  }
  errors.push(...run.errors);
  await closeAll(hosts, writer, errors);
  errors.push(...(hosts?.crashes ?? []), ...drainIncidents());
  timings['runMs'] = run.durationMs;

  log(`checking ${run.history.length} events`);
  let t = Date.now();
  const checkers = await check(plan, run.history, errors);
  timings['checkMs'] = Date.now() - t;
  const { verdict, reasons } = decideVerdict(
    checkers.map((x) => x.verdict),
    runEnd(run, c.stopped.why),
    emptyPassReasons(run.history, { minOk: spec.minOk, faults: plan.nemesis.kinds }),
  );
  const finished = run;
  let nodeLogs: Json | undefined;
  const results = (): Json =>
    summarizeRun({ spec, cluster, run: finished, checkers, verdict, verdictReasons: reasons, errors, timings, readMode: plan.readMode.name, ...(nodeLogs === undefined ? {} : { nodeLogs }) });
  await writeResultsJson(runDir, results()).catch((err: unknown) => {
    errors.push(`results.json could not be written: ${errorText(err)}`);
    process.stderr.write(`faultline: results.json could not be written (${errorText(err)}); the results:\n${exactJsonText(results())}\n`);
  });

  t = Date.now();
  const logs = await collectLogs(system, cluster, join(runDir.path, 'nodes'));
  errors.push(...describeMissingLogs(logs));
  nodeLogs = nodeLogsJson(logs, runDir.path);
  await teardown(c.provider, cluster, spec, errors, log);
  timings['teardownMs'] = Date.now() - t;
  // Rewritten so that teardown failures and timings are in the file too; the verdict is already safe on disk.
  await writeJsonFile(runDir.resultsPath, results()).catch(() => undefined);
  // Raised only now, with everything recorded and torn down: the CLI turns it into its exit code.
  if (run.failure !== undefined) throw run.failure;
  return {
    verdict,
    verdictReasons: reasons,
    runDir: runDir.path,
    clusterId: cluster.id,
    checkers,
    results: results(),
    errors,
    interrupted: c.stopped.why?.kind === 'signal',
  };
}

function mainPhase(c: RunContext, openClient: OpenClient, writer: HistoryWriter): Promise<RunResult> {
  const { plan, cluster, log } = c;
  const { spec, system } = plan;
  const nemesis = buildNemesis(plan.nemesis, system, cluster, c.wiring);
  const clientGen = c.wiring.wrap(plan.workload.generator(plan.workloadOptions));
  const final = plan.workload.final(plan.workloadOptions);
  log(`running ${plan.workload.name} for ${spec.timeLimitMs / 1000} s with ${spec.concurrency} processes${nemesis === undefined ? '' : `, nemesis ${plan.nemesis.kinds.join(',')}`}`);
  return runTest({
    seed: spec.seed,
    concurrency: spec.concurrency,
    cluster: { nodes: cluster.nodes.map((n) => n.name), leader: async () => (await system.leader?.(cluster))?.name },
    routing: plan.routing,
    openClient,
    generator: nemesis === undefined ? clientGen : concurrently(clientGen, spec.faultSchedule === undefined ? faultSchedule(plan.nemesis) : replaySchedule(spec.faultSchedule)),
    ...(final === undefined ? {} : { final }),
    ...(nemesis === undefined ? {} : { nemesis }),
    opTimeoutMs: spec.opTimeoutMs,
    timeLimitMs: spec.timeLimitMs,
    settleMs: nemesis === undefined ? 0 : spec.settleMs,
    signal: c.signal,
    sink: writer,
    ...(c.onProgress === undefined ? {} : { onProgress: c.onProgress }),
  });
}

/** Whether the run ended as planned, and if not, why — in words for the summary. */
function runEnd(run: RunResult, why: Interruption | undefined): RunEnd {
  if (why?.kind === 'crash') return { normal: false, why: `faultline crashed (${why.error})` };
  if (why?.kind === 'signal') return { normal: false, why: 'it was interrupted' };
  if (run.stopReason === 'error') return { normal: false, why: run.errors[0] ?? 'it failed' };
  if (run.stopReason === 'interrupted') return { normal: false, why: 'it was interrupted' };
  return { normal: true };
}

async function closeAll(hosts: ClientHosts | undefined, writer: HistoryWriter | undefined, errors: string[]): Promise<void> {
  await hosts?.close().catch((err: unknown) => errors.push(`closing client processes failed: ${errorText(err)}`));
  try {
    writer?.close();
  } catch (err) {
    // The run already reported a write that failed mid-run; only a new failure is news.
    if (!errors.some((e) => e.includes(errorText(err)))) errors.push(`the history could not be written: ${errorText(err)}`);
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
    log(`leaving cluster ${cluster.id} running (${provider.removeHint?.(cluster.id) ?? `remove it with \`faultline cluster down ${cluster.id}\``})`);
    return;
  }
  try {
    await provider.destroy(cluster.id);
  } catch (err) {
    errors.push(`tearing down cluster ${cluster.id} failed: ${errorText(err)} (run \`faultline clean\`)`);
  }
}

async function systemVersion(cluster: Cluster, system: SystemDescriptor): Promise<string> {
  const command = system.versionCommand;
  const node = cluster.nodes[0];
  if (command === undefined || node === undefined) return 'unknown';
  const r = await node.exec(['sh', '-c', command], { timeoutMs: 10_000 }).catch(() => undefined);
  return r?.stdout.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown';
}
