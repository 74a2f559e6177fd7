// The runner: client-side interfaces and the loop that drives a test.
export * from './capabilities.js';
export * from './client.js';
export * from './nemesis.js';
export * from './outcome.js';
export * from './router.js';
export * from './stats.js';
export { type EventSink, type HistorySink, Recorder } from './recorder.js';
export { HEAL_ALL, runTest } from './run.js';
export type { RunOptions, RunResult, StopReason } from './options.js';
export { LeaderWatch } from './leader.js';
