// The library entry point: pure cores (history, checkers, generators) importable without the CLI.
export * from './history/event.js';
export * from './history/operation.js';
export * from './checker/verdict.js';
export * from './generator/index.js';
export * from './errors.js';
export { ExitCode } from './cli/exit-codes.js';
export * from './history/read.js';
export { serializeEvent, serializeHistory } from './history/formats/jsonl.js';
export { checkLinearizability, type LinearizabilityOptions } from './checker/linearizability/check.js';
export { describeResult } from './checker/linearizability/describe.js';
export type { AnyModel, Model, ModelOp, Viability } from './checker/linearizability/model.js';
export { getModel, MODELS } from './checker/linearizability/models/index.js';
export type * from './checker/linearizability/result.js';
export { checkTransactions, formatTxnResult, CONSISTENCY_MODELS, isConsistencyModel, TXN_WORKLOADS } from './checker/txn/index.js';
export type { ConsistencyModel, TxnCheckOptions, TxnCheckResult, TxnAnomaly, TxnWorkload } from './checker/txn/index.js';
export { buildReportInput, loadRun, renderReport, type ReportInput } from './report/index.js';
export { type Campaign, CampaignSchema, campaignJsonSchema, expandCampaign, loadCampaign, parseCampaign, type PlannedTest, runCampaign } from './campaign/index.js';
export { type TestOutcome, type TestStatus, exitCodeFor, githubAnnotations, renderJunit, summaryJson, writeJunit } from './output/index.js';
