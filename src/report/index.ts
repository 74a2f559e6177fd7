// The HTML report: a pure renderer over ReportInput, and the one loader that reads a run directory.
export type { CheckerReport, FaultInterval, LinearizabilityFailure, OpCounts, Outcomes, ReportInput, RunSummary } from './input.js';
export { type RunParts, buildReportInput, countOps, faultIntervals, overallVerdict } from './derive.js';
export { checkerReport } from './checkers.js';
export { escapeHtml, jsonForScript } from './escape.js';
export { type ReportData, renderReport, reportData } from './render.js';
export { loadRun } from './load.js';
