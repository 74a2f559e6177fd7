// The run store: where a run's history, spec, results and node logs live on disk.
export * from './run-dir.js';
export { FLUSH_INTERVAL_MS, HistoryWriter } from './history-writer.js';
export { type ReadHistory, readHistoryJsonl } from './read-history.js';
