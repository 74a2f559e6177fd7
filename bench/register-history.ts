// A seeded generator of single-register histories with client timeouts, for bench:check.
import type { Json } from '../src/history/event.js';
import type { Operation, PairedHistory } from '../src/history/operation.js';

export interface RegisterHistoryOptions {
  ops: number;
  processes: number;
  /** Fraction of ops that time out (info): half took effect, half did not; none ever completes. */
  infoRate: number;
  seed: number;
  /** Plant one stale read at this fraction of the history (the history is then not linearizable). */
  staleReadAt?: number;
}

/**
 * A linearizable read/write register history: each op takes effect at a random point of
 * its interval; writes write distinct values (1, 2, 3, ...), as a workload that can tell
 * its writes apart does. An info op's process continues under a fresh id. With
 * `staleReadAt`, one ok read from there on returns the value of a write that a later
 * write certainly overwrote before the read was called.
 */
export function generateRegisterHistory(o: RegisterHistoryOptions): PairedHistory {
  let x = o.seed >>> 0 || 1;
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const result: Operation[] = [];
  const open: ({ op: Operation; applied: boolean; timesOut: boolean } | undefined)[] = new Array(o.processes).fill(undefined);
  const ids = Array.from({ length: o.processes }, (_, i) => i);
  let nextId = o.processes;
  let nextValue = 1;
  let value: Json = null;
  let time = 0;
  let done = 0;
  const apply = (op: Operation): void => {
    if (op.f === 'write') value = op.input;
    else op.output = value;
  };
  while (done < o.ops) {
    const p = Math.floor(rand() * o.processes);
    time++;
    const slot = open[p];
    if (slot === undefined) {
      if (result.length >= o.ops) continue;
      const f = rand() < 0.5 ? 'read' : 'write';
      const input: Json = f === 'write' ? nextValue++ : null;
      const op: Operation = { id: result.length, process: ids[p]!, f, type: 'ok', input, output: null, call: time, ret: Infinity, invokeIndex: result.length, completeIndex: -1 };
      result.push(op);
      open[p] = { op, applied: false, timesOut: rand() < o.infoRate };
      continue;
    }
    if (!slot.applied && rand() < 0.5) {
      slot.applied = true;
      apply(slot.op);
      continue;
    }
    const op = slot.op;
    open[p] = undefined;
    done++;
    if (slot.timesOut) {
      // A client timeout: it took effect or not, and the client never learns which.
      if (!slot.applied && rand() < 0.5) apply(op);
      op.type = 'info';
      op.output = null;
      ids[p] = nextId++;
      continue;
    }
    if (!slot.applied) apply(op);
    op.ret = time;
    op.completeIndex = op.id;
    if (op.f === 'write') op.output = op.input;
  }
  // Still open at the end: they never complete (info).
  for (const slot of open) if (slot !== undefined) Object.assign(slot.op, { type: 'info', output: null });
  if (o.staleReadAt !== undefined) plantStaleRead(result, Math.floor(o.staleReadAt * result.length));
  return { ops: result, nemesis: [] };
}

/** The first ok read from `from` on whose call follows writes a → b in real time reads a's value. */
function plantStaleRead(ops: Operation[], from: number): void {
  const writes = ops.filter((w) => w.f === 'write' && w.type === 'ok');
  for (const read of ops.slice(from)) {
    if (read.f !== 'read' || read.type !== 'ok') continue;
    const b = writes.findLast((w) => w.ret < read.call);
    const a = b === undefined ? undefined : writes.findLast((w) => w.ret < b.call);
    if (a === undefined) continue;
    read.output = a.input;
    return;
  }
  throw new Error('no read to make stale');
}
