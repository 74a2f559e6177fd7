// The library entry point: pure cores (history, checkers, generators) importable without the CLI.
export * from './history/event.js';
export * from './history/operation.js';
export * from './checker/verdict.js';
export * from './errors.js';
export { ExitCode } from './cli/exit-codes.js';
