// Generated single-register histories shaped like real runs, shared by `bench:info` and
// `bench:check`: each op takes effect at a random point inside its interval, a fraction
// of them time out (info; half of those took effect), optionally one stale read planted.
import type { HistoryEvent } from '../src/history/event.js';

export interface Shape {
  name: string;
  ops: number;
  processes: number;
  /** Fraction of ops whose client timed out (info); default 0.01. */
  info?: number;
  /** Plant one stale read this far into the history (0..1), or none. */
  staleAt?: number;
}

/** A correct register under concurrency (unless a stale read is planted); deterministic per seed. */
export function generateRegister(shape: Shape, seed: number): HistoryEvent[] {
  let x = seed;
  const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const infoRate = shape.info ?? 0.01;
  type Op = { p: number; f: 'read' | 'write'; call: number; at: number; ret: number; value: number | null; info: boolean; applied: boolean };
  const ops: Op[] = [];
  const free = new Array<number>(shape.processes).fill(0);
  let written = 0;
  for (let i = 0; i < shape.ops; i++) {
    const p = i % shape.processes;
    const call = free[p]! + Math.floor(rnd() * 3);
    const ret = call + 1 + Math.floor(rnd() * 10 * shape.processes);
    const at = call + rnd() * (ret - call);
    const info = rnd() < infoRate;
    const write = rnd() < 0.5;
    ops.push({ p, f: write ? 'write' : 'read', call, at, ret, value: write ? ++written : null, info, applied: !info || rnd() < 0.5 });
    free[p] = ret + 1;
  }
  // Reads return the value of the last applied write before their point.
  const effects = ops.filter((o) => o.applied).sort((a, b) => a.at - b.at);
  let current: number | null = null;
  for (const o of effects) {
    if (o.f === 'write') current = o.value;
    else o.value = current;
  }
  if (shape.staleAt !== undefined) {
    const reads = ops.filter((o) => o.f === 'read' && !o.info && typeof o.value === 'number' && o.value > 10);
    const r = reads[Math.floor(reads.length * shape.staleAt)]!;
    r.value = (r.value as number) - 5;
  }
  const events: { t: number; e: Omit<HistoryEvent, 'index'> }[] = [];
  let process = shape.processes;
  const pid = new Array<number>(shape.processes).fill(0).map((_, i) => i);
  for (const o of ops) {
    const id = pid[o.p]!;
    events.push({ t: o.call, e: { time: o.call, process: id, type: 'invoke', f: o.f, value: o.f === 'write' ? o.value : null } });
    events.push({ t: o.ret + 0.5, e: { time: o.ret, process: id, type: o.info ? 'info' : 'ok', f: o.f, value: o.value } });
    if (o.info) pid[o.p] = process++;
  }
  events.sort((a, b) => a.t - b.t);
  return events.map((x, index) => ({ index, ...x.e }));
}
