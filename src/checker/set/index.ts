export { SET_ADD, SET_FINAL_READ, SET_READ } from './elements.js';
export { type ElementGroup, type SetFinalResult, checkSetFinal } from './final.js';
export { type BadRead, type SetReadsResult, checkSetReads } from './reads.js';
export { type ElementOutcome, type ElementTimeline, type SetFullOptions, type SetFullResult, checkSetFull, elementTimelines } from './full.js';
