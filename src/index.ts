// The library entry point: pure cores (history, checkers, generators) importable without the CLI.
export * from './history/event.js';
export * from './history/operation.js';
export { EventLog } from './history/event-log.js';
export * from './checker/verdict.js';
export * from './generator/index.js';
export * from './errors.js';
export { ExitCode } from './exit-codes.js';
export * from './history/read.js';
export { serializeEvent, serializeHistory } from './history/formats/jsonl.js';
export { checkLinearizability, type LinearizabilityOptions } from './checker/linearizability/check.js';
export { describeResult } from './checker/linearizability/describe.js';
export type { AnyModel, Model, ModelOp, Viability } from './checker/linearizability/model.js';
export { getModel, MODELS } from './checker/linearizability/models/index.js';
export type * from './checker/linearizability/result.js';
export { checkTransactions, formatTxnResult, CONSISTENCY_MODELS, isConsistencyModel, TXN_WORKLOADS } from './checker/txn/index.js';
export type { ConsistencyModel, TxnCheckOptions, TxnCheckResult, TxnAnomaly, TxnWorkload } from './checker/txn/index.js';
export * from './checker/set/index.js';
export * from './checker/counter/index.js';
export * from './checker/bank/index.js';
export * from './checker/queue/index.js';
export { buildReportInput, loadRun, renderReport, type ReportInput } from './report/index.js';
export { type Campaign, CampaignSchema, campaignJsonSchema, expandCampaign, loadCampaign, parseCampaign, type PlannedTest, runCampaign } from './campaign/index.js';
export { type TestOutcome, type TestStatus, exitCodeFor, githubAnnotations, renderJunit, summaryJson, writeJunit } from './output/index.js';

// ---------------------------------------------------------------------------------------
// The platform: what a plugin (a system, a client for a built-in system) and a program that
// runs tests use. Everything below is @public: it follows semver from 1.0; a plugin imports
// only from 'faultline', never from the package's files.
// ---------------------------------------------------------------------------------------
/** @public */
export {
  type ClientPlugin,
  type ClockSupport,
  type HttpDateProbe,
  type Health,
  type InstallSpec,
  type ReadMode,
  type StartOptions,
  type SystemClient,
  type SystemDescriptor,
  type Membership,
  type SystemOption,
  type SystemOptionValues,
  defineClient,
  defineSystem,
  builtinSystems,
  builtinSystemNames,
  loadSystem,
  consul,
  etcd,
  redis,
  zookeeper,
} from './systems/index.js';
/** @public */
export type { CapabilityClient, ClientOptions } from './systems/client-options.js';
/** @public Helpers for a system's lifecycle: a database run as one supervised process on a node. */
export { type DaemonSpec, isRunning, killDaemon, processControl, removeData, signalDaemon, startDaemon, stopDaemon, tailLog } from './systems/daemon.js';
/** @public Helpers for a system's client: values stored as text, read modes, aborts. */
export { abortError, decodeValue, definitely, encodeValue, lockKey, newToken, registerKey, systemClient, untilAborted } from './systems/capability-support.js';
/** @public */
export type { BankCapability, QueueCapability, CallOptions, ElectionCapability, ElectionTerm, Capabilities, CapabilityName, CounterCapability, LockCapability, LockGrant, MicroOp, RegisterCapability, ReleaseOutcome, SetCapability, TxnCapability } from './runner/capabilities.js';
/** @public */
export { type ErrorClassifier, type Outcome, DefiniteFailure, classifyError } from './runner/outcome.js';
/** @public */
export { type Cluster, type ClusterSpec, type ClusterSummary, type ExecOptions, type ExecResult, type Node, type NodeProvider, type NodeSoftware, run as runOnNode, sh } from './cluster/node.js';
/** @public */
export { openProvider } from './cluster/providers.js';
/** @public Run a test from a program: the CLI's `run` is this and an exit code. */
export { type ExecuteOptions, type ExecuteResult, executeTest } from './execute/execute.js';
/** @public */
export { type TestSpec, type TestSpecInput, parseTestSpec } from './spec/test-spec.js';
/** @public */
export type { CheckResult, Workload, WorkloadOptions } from '../workloads/workload.js';
/** @public */
export { workloads } from '../workloads/index.js';
