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
  /**
   * A cas-register: a third of the ops are cas [old new] with a new distinct value, half of
   * them from the value the register holds when they take effect (ok), half from an older
   * one (fail: no effect).
   */
  cas?: boolean;
  /** Writes draw their value from 1..values (values repeat); default: every write a new value. */
  values?: number;
}

/** A correct register under concurrency (unless a stale read is planted); deterministic per seed. */
export function generateRegister(shape: Shape, seed: number): HistoryEvent[] {
  let x = seed;
  const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const infoRate = shape.info ?? 0.01;
  type Op = { p: number; f: 'read' | 'write' | 'cas'; call: number; at: number; ret: number; value: number | null; from: number | null; info: boolean; applied: boolean };
  const ops: Op[] = [];
  const free = new Array<number>(shape.processes).fill(0);
  let written = 0;
  for (let i = 0; i < shape.ops; i++) {
    const p = i % shape.processes;
    const call = free[p]! + Math.floor(rnd() * 3);
    const ret = call + 1 + Math.floor(rnd() * 10 * shape.processes);
    const at = call + rnd() * (ret - call);
    const info = rnd() < infoRate;
    const kind = rnd();
    const f = shape.cas === true && kind < 1 / 3 ? 'cas' : kind < (shape.cas === true ? 2 / 3 : 0.5) ? 'write' : 'read';
    const value = f === 'read' ? null : shape.values !== undefined && f === 'write' ? 1 + Math.floor(rnd() * shape.values) : ++written;
    ops.push({ p, f, call, at, ret, value, from: null, info, applied: !info || rnd() < 0.5 });
    // A cas that does not match its old value fails (or, timed out, had no effect).
    if (f === 'cas' && !info && rnd() < 0.5) ops[ops.length - 1]!.applied = false;
    free[p] = ret + 1;
  }
  // Reads return the value of the last applied write or cas before their point; an applied
  // cas is from that value, one that did not apply from an older value (never held again).
  const byPoint = [...ops].sort((a, b) => a.at - b.at);
  let current: number | null = null;
  let older: number | null = null;
  for (const o of byPoint) {
    if (o.f === 'cas') o.from = o.applied ? current : older;
    if (!o.applied) continue;
    if (o.f === 'read') o.value = current;
    else if (o.value !== current) [older, current] = [current, o.value];
  }
  if (shape.staleAt !== undefined && shape.values !== undefined) {
    // Values repeat: the read returns a value whose writes are all ok and none near it in
    // time (none called within 200 × processes ticks of it), one of them before it, so
    // later writes of other values certainly replaced it and nothing wrote it again.
    const reads = ops.filter((o) => o.f === 'read' && !o.info);
    const r = reads[Math.floor(reads.length * shape.staleAt)]!;
    const far = 200 * shape.processes;
    for (let v = 1; v <= shape.values; v++) {
      const writes = ops.filter((o) => o.f === 'write' && o.value === v);
      if (v === r.value || writes.some((w) => w.info || (w.call > r.call - far && w.call < r.ret + far)) || !writes.some((w) => w.ret < r.call)) continue;
      r.value = v;
      break;
    }
  } else if (shape.staleAt !== undefined) {
    // Five values back; with cas (values change more often) four per process back.
    const back = shape.cas === true ? 4 * shape.processes : 5;
    const reads = ops.filter((o) => o.f === 'read' && !o.info && typeof o.value === 'number' && o.value > (shape.cas === true ? back + 10 : 10));
    const r = reads[Math.floor(reads.length * shape.staleAt)]!;
    r.value = (r.value as number) - back;
  }
  const events: { t: number; e: Omit<HistoryEvent, 'index'> }[] = [];
  let process = shape.processes;
  const pid = new Array<number>(shape.processes).fill(0).map((_, i) => i);
  for (const o of ops) {
    const id = pid[o.p]!;
    const input = o.f === 'cas' ? [o.from, o.value] : o.f === 'write' ? o.value : null;
    const type = o.info ? 'info' : o.f === 'cas' && !o.applied ? 'fail' : 'ok';
    events.push({ t: o.call, e: { time: o.call, process: id, type: 'invoke', f: o.f, value: input } });
    events.push({ t: o.ret + 0.5, e: { time: o.ret, process: id, type, f: o.f, value: o.f === 'read' ? o.value : input } });
    if (o.info) pid[o.p] = process++;
  }
  events.sort((a, b) => a.t - b.t);
  return events.map((x, index) => ({ index, ...x.e }));
}
