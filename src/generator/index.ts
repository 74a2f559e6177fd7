// Generators: composable descriptions of what each process does, free of I/O.
export * from './types.js';
export * from './random.js';
export { type GenLike, fn, limit, lift, once, repeat, sleep } from './basic.js';
export { concurrently, mix, phases } from './combine.js';
export { clients, eachProcess, nemesis } from './routing.js';
export { overKeys, perKey, type PerKeyOptions } from './keys.js';
export { rateLimit, stagger, timeLimit } from './timing.js';
export { simulate, type SimulateOptions } from './simulate.js';
export { type FaultKind, faultCycles } from './faults.js';
