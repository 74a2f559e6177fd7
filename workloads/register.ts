import { type LinearizabilityOptions, checkLinearizability } from '../src/checker/linearizability/check.js';
import { shrinkNotLinearizable } from '../src/checker/shrink/linearizability.js';
import type { LinearizabilityResult } from '../src/checker/linearizability/result.js';
import type { HistoryEvent, Json } from '../src/history/event.js';
import type { PairedHistory } from '../src/history/operation.js';
import { fn } from '../src/generator/basic.js';
import { overKeys, perKey } from '../src/generator/keys.js';
import { clients } from '../src/generator/routing.js';
import { stagger } from '../src/generator/timing.js';
import { type GenContext, type Generator, type OpRequest, generator } from '../src/generator/types.js';
import { type CheckResult, type Workload, type WorkloadOptions, need, toJson } from './workload.js';

/** Values are drawn from a small range so that reads, writes and cas meet each other often. */
export const REGISTER_VALUES = 5;

/** One random read, write or cas, drawn from the `ops` stream. */
export function registerOp(ctx: GenContext): OpRequest {
  const value = (): number => ctx.rng.int(0, REGISTER_VALUES - 1);
  switch (ctx.rng.int(0, 2)) {
    case 0:
      return { f: 'read', value: null };
    case 1:
      return { f: 'write', value: value() };
    default:
      return { f: 'cas', value: [value(), value()] };
  }
}

export function paced(opIntervalMs: number, g: Generator): Generator {
  return opIntervalMs > 0 ? stagger(opIntervalMs, g) : g;
}

/**
 * The clients' paced operations, each drawn by the function `make` returns; `make` runs at
 * every start, so what it closes over (a counter of unique values) is shared by every process
 * and starts over with each run.
 */
export function pacedClientOps(opIntervalMs: number, make: () => (ctx: GenContext) => OpRequest): Generator {
  return clients(paced(opIntervalMs, generator(() => fn(make()).start())));
}

/**
 * Linearizable read / write / compare-and-set on independent keys, checked per key as a
 * `cas-register`. Each group of `threadsPerKey` workers works on one key for `opsPerKey`
 * operations, so a long run stays cheap to check.
 */
export const registerWorkload: Workload = {
  name: 'register',
  summary: 'read / write / cas per key, checked as a linearizable cas-register',
  needs: ['register'],

  generator: (o) => clients(paced(o.opIntervalMs, perKey({ threadsPerKey: o.threadsPerKey, opsPerKey: o.opsPerKey, gen: () => fn(registerOp) }))),

  final: () => overKeys(() => ({ f: 'read', value: null })),

  async invoke(caps, op, call) {
    const register = need(caps, 'register');
    const key = op.key ?? 0;
    switch (op.f) {
      case 'read':
        return { type: 'ok', value: await register.read(key, call) };
      case 'write':
        await register.write(key, op.value, call);
        return { type: 'ok', value: op.value };
      case 'cas': {
        const [expected, next] = op.value as [Json, Json];
        return (await register.cas(key, expected, next, call)) ? { type: 'ok', value: op.value } : { type: 'fail', error: 'cas-mismatch' };
      }
      default:
        throw new Error(`register workload: unknown operation "${op.f}"`);
    }
  },

  async check(history, o) {
    return [await linearizable('linearizable', history, 'cas-register', o.checkTimeLimitMs)];
  },
};

const SHRINK_BUDGET_MS = 10_000;

/** The linearizability checker over `history`, summarised for results.json (with the smallest failing history when invalid). */
export async function linearizable(
  checker: string,
  history: readonly HistoryEvent[] | PairedHistory,
  model: string,
  timeLimitMs: number,
  extra: { settled?: LinearizabilityOptions['settled']; shrinkEvents?: readonly HistoryEvent[] } = {},
): Promise<CheckResult> {
  // Every key checked (not just up to the first invalid one), so results.json says how many keys went wrong.
  const result = await checkLinearizability(history, { model, timeLimitMs, file: 'history.jsonl', stopOnInvalid: false, ...(extra.settled === undefined ? {} : { settled: extra.settled }) });
  const details = summarize(result);
  if (result.verdict === 'invalid' && details !== null && typeof details === 'object' && !Array.isArray(details)) {
    // The smallest failing history goes first in the report; bounded so a huge key cannot stall the run's end.
    // (Without the outside knowledge: a shrunk history that stays invalid without it is invalid anyway.)
    const events = extra.shrinkEvents ?? (Array.isArray(history) ? history : undefined);
    const shrunk = events === undefined ? undefined : await shrinkNotLinearizable(events, result, { model }, Date.now() + Math.min(SHRINK_BUDGET_MS, timeLimitMs));
    if (shrunk !== undefined) details['shrunk'] = toJson(shrunk);
  }
  return { checker, verdict: result.verdict, details };
}

/** Keeps the verdict, the counts per verdict and the keys that are not valid (at most 5, with explanations). */
function summarize(r: LinearizabilityResult): Json {
  const count = (v: string): number => r.partitions.filter((p) => p.verdict === v).length;
  const first = r.partitions.find((p) => p.verdict === 'invalid' && p.sentence !== undefined);
  return toJson({
    model: r.model,
    ...(first === undefined ? {} : { explanation: `${first.key === null ? '' : `key ${JSON.stringify(first.key)}: `}${first.sentence}` }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    stats: r.stats,
    keys: { total: r.partitions.length, valid: count('valid'), invalid: count('invalid'), unknown: count('unknown') },
    notValid: r.partitions.filter((p) => p.verdict !== 'valid').slice(0, 5),
  });
}
