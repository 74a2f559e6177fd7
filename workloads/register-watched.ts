import { STREAM_OP, settleFromStream } from '../src/checker/watch/settle.js';
import type { HistoryEvent, Json } from '../src/history/event.js';
import { pairHistory } from '../src/history/operation.js';
import { fn } from '../src/generator/basic.js';
import { phases } from '../src/generator/combine.js';
import { overKeys, perKey } from '../src/generator/keys.js';
import { clients } from '../src/generator/routing.js';
import type { GenContext, OpRequest } from '../src/generator/types.js';
import { linearizable, paced, registerWorkload } from './register.js';
import { untilOk } from './until-ok.js';
import { type CheckResult, type Workload, need, toJson } from './workload.js';

/** Share of a key's operations that are stream windows (the rest: read, write, cas). */
const STREAM_SHARE = 0.15;
const STREAM_WINDOW_MS = 500;
const REPLAY_WINDOW_MS = 3_000;

/** A window well inside the operation's timeout (which would make it `info`). */
function windowOf(ms: number, opTimeoutMs: number | undefined): number {
  return Math.max(50, Math.min(ms, Math.floor((opTimeoutMs ?? 5_000) * 0.6)));
}

/**
 * Per key: reads, writes and cas of values unique to the key (1, 2, 3, …; a cas expects one of
 * the last few written), and now and then a window on the register keys' change stream.
 */
function keyOps(opTimeoutMs: number | undefined): () => ReturnType<typeof fn> {
  return () => {
    let next = 1;
    return fn((ctx: GenContext): OpRequest => {
      const roll = ctx.rng.float();
      if (roll < STREAM_SHARE) return { f: STREAM_OP, value: { windowMs: windowOf(STREAM_WINDOW_MS, opTimeoutMs) } };
      if (roll < 0.45) return { f: 'read', value: null };
      if (roll < 0.75 || next === 1) return { f: 'write', value: next++ };
      return { f: 'cas', value: [Math.max(1, next - 1 - ctx.rng.int(0, 2)), next++] };
    });
  };
}

/**
 * The register workload with its keys' change stream watched (etcd): a write of unknown
 * outcome the stream delivered took effect by the time it was delivered; one a complete replay
 * (from revision 1, after every other operation) never delivered had no effect anyone saw.
 * The linearizability checker is given both (src/checker/watch/settle.ts), and the results
 * say how many unknown outcomes were settled.
 */
export const registerWatchedWorkload: Workload = {
  name: 'register-watched',
  summary: 'register with unique values and the keys’ change stream watched: writes of unknown outcome settled by what the stream showed (etcd)',
  needs: ['register', 'registerStream'],

  generator: (o) => clients(paced(o.opIntervalMs, perKey({ threadsPerKey: o.threadsPerKey, opsPerKey: o.opsPerKey, gen: keyOps(o.opTimeoutMs) }))),

  // The replay starts only once every final read has returned (phases), so it covers them all.
  final: (o) => phases(overKeys(() => ({ f: 'read', value: null })), untilOk({ f: STREAM_OP, value: { windowMs: windowOf(REPLAY_WINDOW_MS, o.opTimeoutMs), fromStart: true } })),

  async invoke(caps, op, call, options) {
    if (op.f !== STREAM_OP) return registerWorkload.invoke(caps, op, call, options);
    const stream = need(caps, 'registerStream');
    const { windowMs, fromStart } = op.value as { windowMs: number; fromStart?: boolean };
    return { type: 'ok', value: toJson(await stream.watch(windowMs, fromStart === true, call)) };
  },

  check: (history, o) => checkRegisterWatched(history, o.checkTimeLimitMs),
};

/**
 * The register-watched verdict of a history: the registers checked for linearizability with the
 * writes of unknown outcome the stream settled. Also `faultline check --workload register-watched`.
 */
export async function checkRegisterWatched(history: readonly HistoryEvent[], timeLimitMs: number, file = 'history.jsonl'): Promise<CheckResult[]> {
  const paired = pairHistory(history, file);
  const settlement = settleFromStream(paired.ops, file);
  const registerOnly = { ...paired, ops: paired.ops.filter((op) => op.f !== STREAM_OP) };
  const withStream = await linearizable('linearizable', registerOnly, 'cas-register', timeLimitMs, {
    settled: settlement,
    shrinkEvents: history.filter((e) => e.f !== STREAM_OP),
  });
  const { infoWrites, happened, didNotHappen, ambiguousValues, completeReplay } = settlement.counts;
  const settled: Json = toJson({
    infoWrites,
    happened,
    didNotHappen,
    unresolved: infoWrites - happened - didNotHappen,
    ambiguousValues,
    completeReplay,
    explanation: `${happened + didNotHappen} of ${infoWrites} writes of unknown outcome settled through the change stream: ${happened} seen (bounded by their delivery), ${didNotHappen} never delivered by ${completeReplay ? 'the complete replay' : 'any replay (none was complete)'}`,
  });
  const details = withStream.details as Record<string, Json>;
  return [{ ...withStream, details: { ...details, streamSettled: settled } }];
}
