import type { Json } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';

/** The operation names a lock history uses. */
export const LOCK_ACQUIRE = 'acquire';
export const LOCK_RELEASE = 'release';

/** How a critical section ended, as its holder experienced it. */
export type SectionEnd =
  /** The holder began a release that found the lock held by its token and freed it. */
  | 'released'
  /** The holder began a release that found the lock already gone: its lease or session had expired. */
  | 'lost'
  /** The holder began a release whose outcome is unknown. */
  | 'release-unknown'
  /** The holder's process ended (an operation timed out) without releasing. */
  | 'retired'
  /** The history ends with the lock held. */
  | 'held-at-end';

/**
 * One critical section: from the moment a holder certainly had the lock (its acquire's
 * completion) to the moment it certainly stopped relying on it (its release's invocation, or
 * the completion of its process's last operation, or the end of the history). Two sections
 * that overlap in real time had two clients inside at once.
 */
export interface Section {
  readonly process: number;
  readonly node?: string;
  readonly token?: string;
  /** The fencing token the system granted with the lock, when it grants one. */
  readonly fence?: number;
  /** ns: the acquire's completion; the history index of that completion. */
  readonly start: number;
  readonly startIndex: number;
  /** ns: Infinity for a holder at the end of the history; endIndex -1 then. */
  readonly end: number;
  readonly endIndex: number;
  readonly ending: SectionEnd;
}

/** What an acquire's `ok` value holds: the token alone, or `{token, fence}`. */
export function grantOf(value: Json): { token?: string; fence?: number } {
  if (typeof value === 'string') return { token: value };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const token = value['token'];
  const fence = value['fence'];
  return {
    ...(typeof token === 'string' ? { token } : {}),
    ...(typeof fence === 'number' ? { fence } : {}),
  };
}

/** Whether a release's `ok` value says the lock was already gone (`{token, lost: true}`). */
export function releaseLost(value: Json): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value['lost'] === true;
}

/**
 * The critical sections of a lock history (operations in invocation order, any functions:
 * a holder's other operations, such as a read-modify-write, tell when its process ended). A
 * failed release leaves the holder holding; an acquire whose outcome is unknown opens no
 * section, for nobody can say the client held the lock.
 */
export function criticalSections(ops: readonly Operation[]): Section[] {
  const byProcess = new Map<number, Operation[]>();
  for (const op of ops) {
    const list = byProcess.get(op.process);
    if (list === undefined) byProcess.set(op.process, [op]);
    else list.push(op);
  }
  const sections: Section[] = [];
  for (const list of byProcess.values()) sections.push(...sectionsOf(list));
  return sections.sort((a, b) => a.start - b.start || a.startIndex - b.startIndex);
}

/** One process's sections (its operations are sequential). */
function sectionsOf(ops: readonly Operation[]): Section[] {
  const out: Section[] = [];
  let open: Operation | undefined;
  const close = (end: number, endIndex: number, ending: SectionEnd): void => {
    if (open === undefined) return;
    const grant = grantOf(open.output);
    out.push({
      process: open.process,
      ...(open.node === undefined ? {} : { node: open.node }),
      ...grant,
      start: open.ret,
      startIndex: open.completeIndex,
      end,
      endIndex,
      ending,
    });
    open = undefined;
  };
  for (const op of ops) {
    if (op.f === LOCK_ACQUIRE && op.type === 'ok') {
      // A second grant without a release in between (a re-entrant lock) continues the section.
      open ??= op;
    } else if (op.f === LOCK_RELEASE && open !== undefined && op.type !== 'fail') {
      close(op.call, op.invokeIndex, op.type === 'info' ? 'release-unknown' : releaseLost(op.output) ? 'lost' : 'released');
    }
  }
  const last = ops[ops.length - 1];
  if (open !== undefined && last !== undefined) {
    if (last.type === 'info' && last !== open && Number.isFinite(last.ret)) close(last.ret, last.completeIndex, 'retired');
    else close(Infinity, -1, 'held-at-end');
  }
  return out;
}

/** Two sections that certainly overlapped: both holders were inside during [from, to]. */
export interface Overlap {
  readonly first: Section;
  readonly second: Section;
  readonly from: number;
  readonly to: number;
}

/**
 * Every pair of sections that overlap in real time (the second starts strictly before the
 * first ends), earliest first. A sweep over the sections in start order keeps those still
 * open; `limit` bounds how many pairs are listed, `count` says how many there are.
 */
export function overlaps(sections: readonly Section[], limit = 20): { count: number; pairs: Overlap[] } {
  const pairs: Overlap[] = [];
  let count = 0;
  let active: Section[] = [];
  for (const s of sections) {
    active = active.filter((a) => a.end > s.start);
    for (const a of active) {
      count++;
      if (pairs.length < limit) pairs.push({ first: a, second: s, from: s.start, to: Math.min(a.end, s.end) });
    }
    active.push(s);
  }
  return { count, pairs };
}

/** A grant whose fence is not above that of a grant completed before it was asked for. */
export interface FenceInversion {
  readonly earlier: Operation;
  readonly later: Operation;
}

/**
 * Fencing tokens must grow with every grant: an acquire that completed before another began
 * must hold the smaller fence, and no two grants may share one. Returns the first violation.
 */
export function fenceInversion(acquires: readonly Operation[]): FenceInversion | undefined {
  const granted = acquires
    .filter((a) => a.type === 'ok' && grantOf(a.output).fence !== undefined)
    .map((op) => ({ op, fence: grantOf(op.output).fence! }));
  const seen = new Map<string, Operation>();
  for (const g of granted) {
    const key = String(g.fence);
    const twin = seen.get(key);
    if (twin !== undefined) return { earlier: twin.ret <= g.op.ret ? twin : g.op, later: twin.ret <= g.op.ret ? g.op : twin };
    seen.set(key, g.op);
  }
  const byRet = [...granted].sort((a, b) => a.op.ret - b.op.ret);
  const byCall = [...granted].sort((a, b) => a.op.call - b.op.call);
  let i = 0;
  let max: (typeof granted)[number] | undefined;
  for (const g of byCall) {
    while (i < byRet.length && byRet[i]!.op.ret < g.op.call) {
      const c = byRet[i++]!;
      if (max === undefined || c.fence > max.fence) max = c;
    }
    if (max !== undefined && g.fence <= max.fence) return { earlier: max.op, later: g.op };
  }
  return undefined;
}
