// CI gating shared by `faultline run` and `faultline campaign`: exit codes, JSON, JUnit, annotations.
export * from './outcome.js';
export { escapeXml, renderJunit, writeJunit } from './junit.js';
export { emitGithubAnnotations, escapeData, escapeProperty, githubAnnotations } from './annotations.js';
export { SUMMARY_FORMAT, summaryJson } from './summary-json.js';
export { paint, table, useColor } from './terminal.js';
export { outcomeNotRun, outcomeOfError, outcomeOfRun } from './from-run.js';
