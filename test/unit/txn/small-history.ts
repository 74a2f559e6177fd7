/**
 * Small random transactional histories for checking the checker against the oracle. Each is
 * made by running its transactions in a hidden serial order (so reads are mostly plausible),
 * then bending some reads (stale, too long, reordered, from nowhere), with `ok`, `fail` and
 * `info` outcomes and overlapping invoke/complete intervals. Everything shrinks toward fewer
 * transactions and unbent reads.
 */
import fc from 'fast-check';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { type Operation, pairHistory } from '../../../src/history/operation.js';
import type { OracleWorkload } from './oracle.js';

interface MopSpec {
  write: boolean;
  key: number;
  /** 0–6: the read returns what the hidden order gives; 7–9: it is bent. */
  bend: number;
  pick: number;
}

interface TxnSpec {
  outcome: 'ok' | 'fail' | 'info';
  /** For `info`: whether it took effect in the hidden order. */
  applied: boolean;
  /** For `info`: no completion event at all (the history ends with it open). */
  open: boolean;
  mops: MopSpec[];
  /** Place in the hidden serial order (ties: array order). */
  rank: number;
  /** Reads see the state this many transactions before its place (a stale snapshot, as under snapshot isolation). */
  lag: number;
  start: number;
  length: number;
}

export interface HistorySpec {
  keys: number;
  /** Intervals placed around the hidden order, so real time never contradicts it. */
  timed: boolean;
  txns: TxnSpec[];
}

const mop: fc.Arbitrary<MopSpec> = fc.record({
  write: fc.boolean(),
  key: fc.nat({ max: 2 }),
  bend: fc.nat({ max: 9 }),
  pick: fc.nat({ max: 7 }),
});

const txnSpec: fc.Arbitrary<TxnSpec> = fc.record({
  outcome: fc.oneof({ arbitrary: fc.constant('ok' as const), weight: 3 }, fc.constant('info' as const), fc.constant('fail' as const)),
  applied: fc.boolean(),
  open: fc.boolean(),
  mops: fc.array(mop, { minLength: 1, maxLength: 4 }),
  rank: fc.nat({ max: 8 }),
  lag: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.nat({ max: 3 })),
  start: fc.nat({ max: 40 }),
  length: fc.nat({ max: 20 }),
});

/** Histories of up to `maxTxns` transactions (the oracle's work grows as its factorial). */
export const historySpec = (maxTxns = 6): fc.Arbitrary<HistorySpec> =>
  fc.record({
    keys: fc.integer({ min: 2, max: 3 }),
    timed: fc.boolean(),
    txns: fc.array(txnSpec, { minLength: 1, maxLength: maxTxns }),
  });

type Mop = [string, number, Json];

export function buildHistory(spec: HistorySpec, workload: OracleWorkload): Operation[] {
  const n = spec.txns.length;
  const order = spec.txns.map((_, i) => i).sort((a, b) => spec.txns[a]!.rank - spec.txns[b]!.rank || a - b);
  const position = new Array<number>(n);
  order.forEach((t, p) => (position[t] = p));
  // Written values are unique per key (as Elle assumes), numbered in array order.
  const counter = new Map<number, number>();
  const written: Mop[][] = spec.txns.map((t) =>
    t.mops.map((m): Mop => {
      const k = m.key % spec.keys;
      if (!m.write) return ['r', k, null];
      const v = (counter.get(k) ?? 0) + 1;
      counter.set(k, v);
      return [workload === 'list-append' ? 'append' : 'w', k, v];
    }),
  );
  // Every value written to each key, in hidden order, whether or not it took effect.
  const universe = new Map<number, number[]>();
  for (const t of order) for (const [f, k, v] of written[t]!) if (f !== 'r') universe.set(k, [...(universe.get(k) ?? []), v as number]);

  let lists = new Map<number, number[]>();
  let registers = new Map<number, number>();
  // The state before each place in the hidden order, for stale snapshots.
  const before: { lists: Map<number, number[]>; registers: Map<number, number> }[] = [];
  const completed: Mop[][] = new Array<Mop[]>(n);
  for (const t of order) {
    const s = spec.txns[t]!;
    before.push({ lists, registers });
    const snapshot = before[Math.max(0, before.length - 1 - s.lag)]!;
    lists = new Map(lists);
    registers = new Map(registers);
    const applies = s.outcome === 'ok' || (s.outcome === 'info' && s.applied);
    const own = new Map<number, number[]>();
    const ownLast = new Map<number, number>();
    completed[t] = written[t]!.map((m, j): Mop => {
      const [f, k, v] = m;
      if (f !== 'r') {
        own.set(k, [...(own.get(k) ?? []), v as number]);
        ownLast.set(k, v as number);
        return m;
      }
      const u = universe.get(k) ?? [];
      const { bend, pick } = s.mops[j]!;
      if (workload === 'list-append') {
        const truth = [...(snapshot.lists.get(k) ?? []), ...(own.get(k) ?? [])];
        if (bend === 7 && pick >= 6 && truth.length >= 2) return ['r', k, truth.filter((_, i) => i !== pick % truth.length)];
        if (bend === 7) return ['r', k, truth.slice(0, pick % (truth.length + 1))];
        if (bend === 8) return ['r', k, u.slice(0, pick % (u.length + 1))];
        if (bend === 9) {
          if (pick === 7) return ['r', k, [...truth, 99]];
          if (truth.length >= 2 && pick % 2 === 0) return ['r', k, [...truth.slice(0, -2), truth.at(-1)!, truth.at(-2)!]];
          return ['r', k, u.length > 0 ? [...truth, u[pick % u.length]!] : truth];
        }
        // nil is how some systems read an empty list.
        return ['r', k, truth.length === 0 && pick === 1 ? null : truth];
      }
      const truth = ownLast.get(k) ?? snapshot.registers.get(k) ?? null;
      if (bend === 7) return ['r', k, null];
      if (bend === 8 || bend === 9) return ['r', k, pick === 7 ? 99 : u.length > 0 ? u[pick % u.length]! : null];
      return ['r', k, truth];
    });
    if (!applies) continue;
    for (const [k, vs] of own) {
      lists.set(k, [...(lists.get(k) ?? []), ...vs]);
      registers.set(k, vs.at(-1)!);
    }
  }

  // Intervals: around the hidden position when timed (real time then agrees with it), else free.
  const interval = (t: number): [number, number] => {
    const s = spec.txns[t]!;
    if (spec.timed) {
      const center = 100 * position[t]!;
      return [center - 1 - (s.start % 90), center + 1 + ((s.length * 7) % 90)];
    }
    return [s.start, s.start + 1 + s.length];
  };
  const byCall = spec.txns.map((_, i) => i).sort((a, b) => interval(a)[0] - interval(b)[0] || a - b);
  // Each transaction on a process whose previous one completed before it was invoked.
  const freeAt: number[] = [];
  const events: { time: number; order: number; e: Omit<HistoryEvent, 'index' | 'time'> }[] = [];
  for (const t of byCall) {
    const s = spec.txns[t]!;
    const [call, ret] = interval(t);
    let p = freeAt.findIndex((f) => f <= call);
    if (p < 0) p = freeAt.push(0) - 1;
    const open = s.outcome === 'info' && s.open;
    freeAt[p] = open ? Infinity : ret;
    const invoked = written[t]!;
    events.push({ time: call, order: 1, e: { process: p, type: 'invoke', f: 'txn', value: invoked } });
    if (!open) events.push({ time: ret, order: 0, e: { process: p, type: s.outcome, f: 'txn', value: s.outcome === 'ok' ? completed[t]! : invoked } });
  }
  // Completions before invocations at the same instant; times become event indexes.
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  return pairHistory(events.map((x, index) => ({ ...x.e, index, time: index }) as HistoryEvent)).ops;
}

/** The history in Jepsen's notation, for failure messages. */
export function showHistory(ops: readonly Operation[]): string {
  const events: [number, string][] = [];
  const edn = (v: Json): string => (v === null ? 'nil' : Array.isArray(v) ? `[${v.map(edn).join(' ')}]` : typeof v === 'string' ? `:${v}` : String(v));
  for (const o of ops) {
    events.push([o.invokeIndex, `{:process ${o.process}, :type :invoke, :f :txn, :value ${edn(o.input)}}`]);
    if (o.completeIndex >= 0) events.push([o.completeIndex, `{:process ${o.process}, :type :${o.type}, :f :txn, :value ${edn(o.type === 'ok' ? o.output : o.input)}}`]);
  }
  return events.sort((a, b) => a[0] - b[0]).map(([, s]) => s).join('\n');
}
