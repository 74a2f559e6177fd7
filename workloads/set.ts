import { checkSetFinal, checkSetReads, SET_ADD, SET_FINAL_READ, SET_READ } from '../src/checker/set/index.js';
import { pairHistory } from '../src/history/operation.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import { pacedClientOps } from './register.js';
import { untilOk } from './until-ok.js';
import { type Workload, need, toJson } from './workload.js';

/** At most this many distinct elements are added, so reads of the whole set stay small; afterwards only reads. */
export const MAX_SET_ELEMENTS = 5_000;
/** The share of operations that read the whole set during the run. */
export const SET_READ_SHARE = 0.1;

/**
 * Adds of unique elements (0, 1, 2, … across all processes) mixed with reads of the whole
 * set, then one final read after the faults heal. Checked on the final read (lost,
 * unexpected, duplicated, recovered elements) and on the reads during the run (real time).
 */
export const setWorkload: Workload = {
  name: 'set',
  summary: 'add unique elements, read the whole set; lost / unexpected / duplicated elements after a final read',
  needs: ['set'],

  generator: (o) =>
    pacedClientOps(o.opIntervalMs, () => {
      // Shared by every process, fresh for each start: elements are unique within a run.
      let nextElement = 0;
      const op = (ctx: GenContext): OpRequest =>
        nextElement >= MAX_SET_ELEMENTS || ctx.rng.float() < SET_READ_SHARE ? { f: SET_READ, value: null } : { f: SET_ADD, value: nextElement++ };
      return op;
    }),

  final: () => untilOk({ f: SET_FINAL_READ, value: null }),

  async invoke(caps, op, call) {
    const set = need(caps, 'set');
    switch (op.f) {
      case SET_ADD:
        await set.add(op.value, call);
        return { type: 'ok', value: op.value };
      case SET_READ:
      case SET_FINAL_READ:
        return { type: 'ok', value: await set.read(call) };
      default:
        throw new Error(`set workload: unknown operation "${op.f}"`);
    }
  },

  async check(history) {
    const { ops } = pairHistory(history, 'history.jsonl');
    const final = checkSetFinal(ops, 'history.jsonl');
    const reads = checkSetReads(ops, 'history.jsonl');
    return [
      { checker: 'set', verdict: final.verdict, details: toJson(final) },
      { checker: 'set-reads', verdict: reads.verdict, details: toJson(reads) },
    ];
  },
};
