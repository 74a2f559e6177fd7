/**
 * Histories from a real serializable executor, for property tests and the benchmark:
 * transactions are applied one at a time to an in-memory store (that order is the
 * serialization), and each is recorded with an invoke/complete interval around its
 * moment in that order, so intervals overlap but real time never contradicts the order.
 */
import type { HistoryEvent, Json } from '../../../src/history/event.js';

export interface ExecutorOptions {
  workload: 'list-append' | 'rw-register';
  txns: number;
  /** Concurrent client slots; a slot whose transaction ends `info` continues as a fresh process. */
  processes: number;
  /** Keys in use at any time; a key retires after `appendsPerKey` writes and a fresh one replaces it. */
  activeKeys: number;
  appendsPerKey: number;
  minMops: number;
  maxMops: number;
  /** Probability that a micro-op is a read. */
  readRatio: number;
  failRate: number;
  infoRate: number;
}

export const BENCH_DEFAULTS: ExecutorOptions = {
  workload: 'list-append',
  txns: 10_000,
  processes: 10,
  activeKeys: 300,
  appendsPerKey: 32,
  minMops: 3,
  maxMops: 5,
  readRatio: 0.5,
  failRate: 0.01,
  infoRate: 0.01,
};

/** A small deterministic generator (mulberry32), so a seed reproduces a history. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mop = [string, number, Json];

export function serialHistory(o: ExecutorOptions, rand: () => number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  streamSerialHistory(o, rand, (e) => events.push(e));
  return events;
}

/** The history and its serialization: completion event index → place in the serial order. */
export function serialHistoryWithOrder(o: ExecutorOptions, rand: () => number): { events: HistoryEvent[]; order: Map<number, number> } {
  const events: HistoryEvent[] = [];
  const order = new Map<number, number>();
  streamSerialHistory(o, rand, (e, serial) => {
    if (serial >= 0) order.set(e.index, serial);
    events.push(e);
  });
  return { events, order };
}

type Timed = { time: number; order: number; e: Omit<HistoryEvent, 'index'> };
const byTime = (a: Timed, b: Timed): number => a.time - b.time || a.order - b.order;

/**
 * The same history one event at a time, in time order, holding only the few transactions
 * still open (a 10M-transaction history as an array does not fit in memory). `serial` is a
 * completion's place in the serial order, -1 for an invocation.
 */
export function streamSerialHistory(o: ExecutorOptions, rand: () => number, emit: (e: HistoryEvent, serial: number) => void): void {
  const slotKey = Array.from({ length: o.activeKeys }, (_, i) => i);
  const writes = new Int32Array(o.activeKeys);
  let nextKey = o.activeKeys;
  const lists = new Map<number, number[]>();
  // Reads share one immutable snapshot per key version, as a parsed file would not, but the
  // history is input: keeping it small keeps the benchmark about the checker.
  const snapshots = new Map<number, number[]>();
  const registers = new Map<number, number>();
  const counters = new Map<number, number>();
  const slotProcess = Array.from({ length: o.processes }, (_, i) => i);
  let nextProcess = o.processes;
  const lastRet = new Float64Array(o.processes).fill(-1);
  // Step between serialization points; the spread keeps each slot's intervals disjoint.
  const step = 1000;
  const spread = step * o.processes - 2;
  let timed: Timed[] = [];
  let index = 0;
  // Every event not yet generated is at or after the next transaction's earliest invocation.
  const flush = (bound: number): void => {
    timed.sort(byTime);
    let i = 0;
    for (; i < timed.length && timed[i]!.time < bound; i++) {
      const t = timed[i]!;
      emit({ index: index++, ...t.e } as HistoryEvent, t.order % 2 === 1 ? (t.order - 1) / 2 : -1);
    }
    timed = timed.slice(i);
  };

  for (let i = 0; i < o.txns; i++) {
    const at = (i + 1) * step * o.processes;
    const slot = i % o.processes;
    const call = Math.max(lastRet[slot]! + 1, at - Math.floor(rand() * spread));
    const ret = at + 1 + Math.floor(rand() * spread);
    lastRet[slot] = ret;
    const outcome = rand();
    const type = outcome < o.failRate ? 'fail' : outcome < o.failRate + o.infoRate ? 'info' : 'ok';
    // An indeterminate transaction may or may not have taken effect.
    const applies = type === 'ok' || (type === 'info' && rand() < 0.5);
    const n = o.minMops + Math.floor(rand() * (o.maxMops - o.minMops + 1));
    const invoked: Mop[] = [];
    const completed: Mop[] = [];
    const pending: [number, number][] = [];
    const retired: number[] = [];
    for (let j = 0; j < n; j++) {
      const s = Math.floor(rand() * o.activeKeys);
      const k = slotKey[s]!;
      if (rand() < o.readRatio) {
        invoked.push(['r', k, null]);
        if (o.workload === 'list-append') {
          const own = pending.filter(([pk]) => pk === k).map(([, v]) => v);
          let snap = snapshots.get(k);
          if (snap === undefined) snapshots.set(k, (snap = [...(lists.get(k) ?? [])]));
          completed.push(['r', k, own.length === 0 ? snap : [...snap, ...own]]);
        } else {
          const own = pending.findLast(([pk]) => pk === k);
          completed.push(['r', k, own !== undefined ? own[1] : (registers.get(k) ?? null)]);
        }
      } else {
        const v = (counters.get(k) ?? 0) + 1;
        counters.set(k, v);
        const f = o.workload === 'list-append' ? 'append' : 'w';
        const m: Mop = [f, k, v];
        invoked.push(m);
        completed.push(m);
        pending.push([k, v]);
        if (++writes[s]! >= o.appendsPerKey) {
          slotKey[s] = nextKey++;
          writes[s] = 0;
          retired.push(k);
        }
      }
    }
    if (applies) {
      for (const [k, v] of pending) {
        if (o.workload === 'list-append') {
          let l = lists.get(k);
          if (l === undefined) lists.set(k, (l = []));
          l.push(v);
          snapshots.delete(k);
        } else registers.set(k, v);
      }
    }
    // A retired key is never used again: its state would only grow the generator's memory.
    for (const k of retired) {
      lists.delete(k);
      snapshots.delete(k);
      counters.delete(k);
      registers.delete(k);
    }
    const process = slotProcess[slot]!;
    timed.push({ time: call, order: 2 * i, e: { time: call, process, type: 'invoke', f: 'txn', value: invoked } });
    timed.push({
      time: ret,
      order: 2 * i + 1,
      e: { time: ret, process, type, f: 'txn', value: type === 'ok' ? completed : invoked },
    });
    if (type === 'info') slotProcess[slot] = nextProcess++;
    if (timed.length >= 4 * o.processes) flush((i + 2) * step * o.processes - spread + 1);
  }
  flush(Infinity);
}

/**
 * Breaks a history the way a stale replica would: a fraction of committed reads lose 1–3
 * trailing elements. Returns how many reads were changed (the operations are edited in place).
 */
export function makeReadsStale(ops: { type: string; output: Json }[], rate: number, rand: () => number): number {
  let changed = 0;
  for (const op of ops) {
    if (op.type !== 'ok' || !Array.isArray(op.output)) continue;
    op.output = op.output.map((m) => {
      const [f, k, v] = m as Mop;
      if (f !== 'r' || !Array.isArray(v) || v.length === 0 || rand() >= rate) return m;
      changed++;
      return [f, k, v.slice(0, v.length - 1 - Math.floor(rand() * Math.min(3, v.length)))];
    });
  }
  return changed;
}
