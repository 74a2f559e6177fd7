import type { Json } from '../history/event.js';
import type { Rng } from '../generator/random.js';
import type { OpRequest } from '../generator/types.js';

/** What a fault implementation may use: the nodes, the leader, the `faults` random stream. */
export interface NemesisContext {
  readonly nodes: readonly string[];
  /** The current leader/primary, when the system has one and it can be told. */
  leader(signal: AbortSignal): Promise<string | undefined>;
  /** The run's `faults` stream: every random choice of targets comes from here, so `--seed` replays them. */
  readonly rng: Rng;
  /** Fires at the nemesis timeout or when the run is torn down. */
  readonly signal: AbortSignal;
}

/**
 * What a fault operation did, recorded as the value of its completion in the history
 * (process `"nemesis"`): which fault, whether it is in effect afterwards, and on which nodes.
 */
export interface FaultResult {
  /** The fault's kind: `partition`, `kill`, `pause`, … */
  fault: string;
  /** Whether this fault is in effect after the operation (true after a start, false after a stop). */
  active: boolean;
  /** The nodes acted on. */
  targets: readonly string[];
  /** Details worth keeping: the grudge of a partition, the signal sent, … */
  details?: Json;
}

/**
 * A fault injector. `invoke` gets the nemesis generator's operations (`{f: 'start-partition',
 * value: 'majorities-ring'}`) and does them; `healAll` undoes every fault in effect (it runs
 * before the final phase and before teardown, also after a failure or Ctrl-C). Several
 * fault kinds combine by dispatching on `f`.
 */
export interface Nemesis {
  setup?(ctx: NemesisContext): Promise<void>;
  invoke(op: OpRequest, ctx: NemesisContext): Promise<FaultResult>;
  healAll(ctx: NemesisContext): Promise<FaultResult[]>;
  teardown?(ctx: NemesisContext): Promise<void>;
}

export function faultResultJson(r: FaultResult): Json {
  const value: { [k: string]: Json } = { fault: r.fault, active: r.active, targets: [...r.targets] };
  if (r.details !== undefined) value['details'] = r.details;
  return value;
}

/**
 * One nemesis made of several, one per fault kind: `start-partition` / `stop-partition`
 * go to `byKind.partition`, and so on. Setup, healing and teardown go to all of them;
 * healing goes on past a failure and then reports every failure together.
 */
export function combineNemeses(byKind: Readonly<Record<string, Nemesis>>): Nemesis {
  const all = Object.values(byKind);
  const everyOne = async (act: (n: Nemesis) => Promise<FaultResult[]>): Promise<FaultResult[]> => {
    const settled = await Promise.allSettled(all.map(act));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof Error ? s.reason.message : String(s.reason)] : []));
    if (failures.length > 0) throw new Error(failures.join('; '));
    return settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  };
  return {
    async setup(ctx) {
      await everyOne(async (n) => {
        await n.setup?.(ctx);
        return [];
      });
    },
    invoke(op, ctx) {
      const kind = /^(?:start|stop)-(.+)$/.exec(op.f)?.[1];
      const target = kind !== undefined && Object.hasOwn(byKind, kind) ? byKind[kind] : undefined;
      if (target === undefined) return Promise.reject(new Error(`no nemesis for "${op.f}" (have: ${Object.keys(byKind).join(', ')})`));
      return target.invoke(op, ctx);
    },
    healAll: (ctx) => everyOne((n) => n.healAll(ctx)),
    async teardown(ctx) {
      await everyOne(async (n) => {
        await n.teardown?.(ctx);
        return [];
      });
    },
  };
}
