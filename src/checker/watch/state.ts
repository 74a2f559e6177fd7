import type { HistoryEvent, Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import { describeFault, faultIntervals, faultsDuring } from '../../history/faults.js';
import { type Operation, pairHistory } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { WATCH_PUT, WATCH_WATCH, duplicateValue, pairsOf, putName, proc, secs, show } from './common.js';

/**
 * What one state-based watch window saw (the watch op's value), in arrival order.
 * `get`: a read that set a one-shot watch (ZooKeeper getData with a watcher); `notification`:
 * a watch fired for the key (no value); `check`: the closing read (after a sync, no watch);
 * `block`: a Consul blocking query at index `requested` that returned `index` after
 * `elapsedMs` of its `waitMs`. `revision` is the key's last-modification position in the
 * store's global order (ZooKeeper mzxid, Consul ModifyIndex; 0 when the key was never written);
 * `version` ZooKeeper's per-znode data version. `atMs`: when the request was sent, in ms
 * after the window began (which is after the watch op's invocation).
 */
export interface StateObservation {
  key: string;
  cause: 'get' | 'notification' | 'check' | 'block';
  value?: Json;
  revision?: number;
  version?: number;
  requested?: number;
  index?: number;
  elapsedMs?: number;
  waitMs?: number;
  atMs?: number;
}

export interface StateWindow {
  system: 'zookeeper' | 'consul';
  interrupted: boolean;
  observations: StateObservation[];
  /** Consul: `stale` when the blocking queries were `?stale` (known-unsafe; absent: `?consistent`). Checked the same way. */
  consistency?: 'stale';
}

export type StateViolationKind =
  | 'went-back'
  | 'index-went-back'
  | 'changed-without-index'
  | 'unwritten'
  | 'failed-write'
  | 'future'
  | 'wrong-revision'
  | 'disagree'
  | 'version-order'
  | 'missed-notification'
  | 'empty-notification'
  | 'stale';

export interface StateViolation {
  kind: StateViolationKind;
  sentence: string;
}

export interface StateWatchResult {
  verdict: Verdict;
  explanation: string;
  system: string;
  violations: StateViolation[];
  counts: Partial<Record<StateViolationKind, number>>;
  puts: { ok: number; info: number; fail: number };
  windows: number;
  /** Windows whose connection broke: their notification checks were skipped. */
  interrupted: number;
  reads: number;
  notifications: number;
  /** Consul: blocking queries that returned before their wait with the index unchanged (documented as allowed). */
  earlyReturns: number;
  /** Puts of unknown outcome a watch read showed: they happened. */
  infoResolved: number;
}

const SHOWN = 10;

export function isStateWindow(v: Json): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Array.isArray((v as { observations?: unknown }).observations);
}

/**
 * ZooKeeper watches and Consul blocking queries promise less than etcd's event stream: they
 * tell that a key changed (ZooKeeper, once per registration) or hand back its state once the
 * index moved (Consul), never every change. Changes between two reads may be coalesced, so
 * "every write delivered" cannot be asked; what is checked is each system's own promise,
 * per key and per window (one session or connection), with versions/indexes compared:
 * - both: revisions (mzxid / ModifyIndex) never go back; every value read was written by a put
 *   of that key that did not certainly fail, invoked before the window ended, at the revision
 *   the put was acknowledged with, and every read of one put agrees on its revision; one
 *   revision holds one value;
 * - ZooKeeper: the data version orders like the revision; a read that set a watch at
 *   revision r followed by a read (same session, no reconnection in between) at a later
 *   revision without a notification in between is a missed notification (ZooKeeper: a client
 *   sees the watch event before it sees the new data); a notification must be followed by
 *   newer data (reads on that server see what triggered it);
 * - Consul (consistent blocking queries): X-Consul-Index never goes back from the index
 *   asked for; a query that returns with the index unchanged returns the same state; a query
 *   sent after a put of the key was acknowledged sees at least that put's ModifyIndex (no
 *   stale state, so no missed change). An early return with the index unchanged is counted,
 *   not flagged: Consul documents that a blocking query may return without a change.
 * Put values must be unique (the workload's): a history with a value put twice gives `unknown`.
 */
export function checkStateWatch(history: readonly HistoryEvent[]): StateWatchResult {
  const { ops } = pairHistory(history, 'history.jsonl');
  const faults = faultIntervals(history);
  const puts = ops.filter((o) => o.f === WATCH_PUT);
  const windows = ops.filter((o) => o.f === WATCH_WATCH && o.type === 'ok' && isStateWindow(o.output)).map((o) => ({ op: o, w: stateWindowOf(o.output) }));
  const putCounts = { ok: count(puts, 'ok'), info: count(puts, 'info'), fail: count(puts, 'fail') };
  const system = windows[0]?.w.system ?? 'unknown';
  const base = { system, violations: [], counts: {}, puts: putCounts, windows: windows.length, interrupted: 0, reads: 0, notifications: 0, earlyReturns: 0, infoResolved: 0 };

  const dup = duplicateValue(puts);
  if (dup !== undefined) return { ...base, verdict: 'unknown', explanation: `the value ${dup} was put more than once, so a read of it cannot name its put; this checker needs unique put values` };

  const byValue = new Map<string, { op: Operation; key: string }>();
  for (const p of puts) for (const [key, value] of pairsOf(p.input)) byValue.set(exactJsonText(value), { op: p, key });

  const violations: StateViolation[] = [];
  const counts: Partial<Record<StateViolationKind, number>> = {};
  const flag = (kind: StateViolationKind, sentence: () => string): void => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (violations.length < SHOWN) violations.push({ kind, sentence: sentence() });
  };
  const faultsOf = (op: Operation): string => {
    const active = faultsDuring(faults, op.call, op.ret).map(describeFault);
    return active.length === 0 ? 'no fault was in effect' : `faults in effect: ${active.join('; ')}`;
  };

  // Acknowledged puts per key, by return time: the stale check asks which were done before a read was sent.
  const ackedByKey = new Map<string, { ret: number; revision: number; put: Operation }[]>();
  for (const p of puts) {
    if (p.type !== 'ok' || typeof p.output !== 'number') continue;
    for (const [key] of pairsOf(p.input)) {
      const list = ackedByKey.get(key) ?? [];
      list.push({ ret: p.ret, revision: p.output, put: p });
      ackedByKey.set(key, list);
    }
  }
  const seenAt = new Map<Operation, { revision: number; by: Operation }>();
  let interrupted = 0;
  let reads = 0;
  let notifications = 0;
  let earlyReturns = 0;

  for (const { op, w } of windows) {
    if (w.interrupted) interrupted++;
    const who = `the ${w.system === 'consul' ? `${w.consistency === 'stale' ? '?stale ' : ''}blocking queries` : 'watch'} by ${proc(op)} (history index ${op.completeIndex}, ${secs(op.call)}–${secs(op.ret)})`;
    /** Per key: the last read, and whether a notification came since the last read that set a watch. */
    const last = new Map<string, { o: StateObservation; watchSet: boolean; notified: boolean }>();
    for (const o of w.observations) {
      const prev = last.get(o.key);
      if (o.cause === 'notification') {
        notifications++;
        if (prev !== undefined) prev.notified = true;
        continue;
      }
      reads++;
      const rev = o.revision ?? 0;
      const what = `${o.key}=${show(o.value ?? null)} at revision ${rev}`;

      // The value names its put.
      if (o.value !== null && o.value !== undefined) {
        const source = byValue.get(exactJsonText(o.value));
        if (source === undefined || source.key !== o.key) flag('unwritten', () => `${who} read ${what}, which no put wrote`);
        else {
          const p = source.op;
          if (p.type === 'fail') flag('failed-write', () => `${who} read ${what}, written by ${putName(p)}, which certainly failed`);
          if (p.call > op.ret) flag('future', () => `${who} read ${what} before ${putName(p)} was even invoked (${secs(p.call)})`);
          if (p.type === 'ok' && typeof p.output === 'number' && p.output !== rev) flag('wrong-revision', () => `${who} read ${what}, but ${putName(p)} was acknowledged at revision ${String(p.output)}`);
          const seen = seenAt.get(p);
          if (seen === undefined) seenAt.set(p, { revision: rev, by: op });
          else if (seen.revision !== rev) flag('disagree', () => `${putName(p)} was read at revision ${seen.revision} by ${proc(seen.by)} and at revision ${rev} by ${who}`);
        }
      }

      if (prev !== undefined) {
        const pr = prev.o.revision ?? 0;
        const then = `${o.key}=${show(prev.o.value ?? null)} at revision ${pr}`;
        if (rev < pr) flag('went-back', () => `${who} read ${what} after ${then}: the key went back; ${faultsOf(op)}`);
        if (rev === pr && exactJsonText(o.value ?? null) !== exactJsonText(prev.o.value ?? null)) flag('disagree', () => `${who} read ${what} after ${then}: two values at one revision`);
        if (o.version !== undefined && prev.o.version !== undefined && Math.sign(o.version - prev.o.version) !== Math.sign(rev - pr)) {
          flag('version-order', () => `${who} read ${o.key} at version ${o.version} (revision ${rev}) after version ${prev.o.version} (revision ${pr}): versions and revisions disagree on the order`);
        }
        if (w.system === 'zookeeper' && !w.interrupted) {
          if (prev.watchSet && !prev.notified && rev > pr) flag('missed-notification', () => `${who} set a watch on ${o.key} reading it at revision ${pr}, then read ${what} with no notification in between; ${faultsOf(op)}`);
          if (prev.watchSet && prev.notified && rev <= pr) flag('empty-notification', () => `${who} was notified of a change of ${o.key} after reading it at revision ${pr}, but then read ${what}`);
        }
      }
      if (o.cause === 'block') {
        const requested = o.requested ?? 0;
        const index = o.index ?? 0;
        if (index < requested) flag('index-went-back', () => `${who} asked ${o.key} for index above ${requested} and got index ${index} (${what}); ${faultsOf(op)}`);
        if (index === requested && prev !== undefined && (prev.o.revision ?? 0) !== rev) flag('changed-without-index', () => `${who} asked ${o.key} at index ${requested} and got the same index back with ${what}, after ${o.key} at revision ${prev.o.revision ?? 0}`);
        if (index === requested && requested > 0 && (o.elapsedMs ?? 0) < (o.waitMs ?? 0) * 0.9) earlyReturns++;
      }
      // Consul's reads are consistent: one sent after a put was acknowledged shows at least its revision.
      if (w.system === 'consul' && o.atMs !== undefined) {
        const sentBy = op.call + o.atMs * 1e6;
        const newest = (ackedByKey.get(o.key) ?? []).filter((a) => a.ret <= sentBy).reduce<{ revision: number; put: Operation } | undefined>((m, a) => (m === undefined || a.revision > m.revision ? a : m), undefined);
        if (newest !== undefined && rev < newest.revision) flag('stale', () => `${who} read ${what} in a query sent at ${secs(sentBy)} or later, after ${putName(newest.put)} had returned (${secs(newest.put.ret)}); ${faultsOf(op)}`);
      }
      last.set(o.key, { o, watchSet: o.cause === 'get', notified: false });
    }
  }

  const infoResolved = [...seenAt.keys()].filter((p) => p.type === 'info').length;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const result = { ...base, violations, counts, interrupted, reads, notifications, earlyReturns, infoResolved };
  if (total > 0) return { ...result, verdict: 'invalid', explanation: `${violations[0]!.sentence}${total > 1 ? ` (${total} violations in all)` : ''}.` };
  if (windows.length === 0 || reads === 0 || putCounts.ok === 0) {
    return { ...result, verdict: 'unknown', explanation: `nothing to check: ${putCounts.ok} acknowledged puts, ${windows.length} completed watches, ${reads} reads` };
  }
  const promise =
    system === 'zookeeper'
      ? `${notifications} notifications, none missed in the ${windows.length - interrupted} windows whose session stayed connected`
      : `index never back, no stale state, ${earlyReturns} early returns with the index unchanged (allowed)`;
  return { ...result, verdict: 'valid', explanation: `${windows.length} ${system} watch windows made ${reads} reads, every value from a put at its revision, revisions never back; ${promise}; ${infoResolved} puts of unknown outcome seen to have happened.` };
}

function stateWindowOf(v: Json): StateWindow {
  const o = v as { system?: unknown; interrupted?: unknown; consistency?: unknown; observations: unknown[] };
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  return {
    system: o.system === 'consul' ? 'consul' : 'zookeeper',
    interrupted: o.interrupted === true,
    ...(o.consistency === 'stale' ? { consistency: 'stale' as const } : {}),
    observations: o.observations.map((e) => {
      const x = (e ?? {}) as Record<string, unknown>;
      const cause = x.cause === 'notification' || x.cause === 'check' || x.cause === 'block' ? x.cause : 'get';
      return { key: String(x.key), cause, value: (x.value ?? null) as Json, revision: num(x.revision), version: num(x.version), requested: num(x.requested), index: num(x.index), elapsedMs: num(x.elapsedMs), waitMs: num(x.waitMs), atMs: num(x.atMs) };
    }),
  };
}

function count(ops: readonly Operation[], type: Operation['type']): number {
  return ops.filter((o) => o.type === type).length;
}
