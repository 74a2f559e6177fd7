/**
 * A brute-force reference for the transactional checker, for small histories only: tries
 * every choice of which indeterminate transactions committed and every serial order of the
 * committed ones, and says whether one of them explains every committed read.
 */
import type { Json } from '../../../src/history/event.js';
import type { Operation } from '../../../src/history/operation.js';

export type OracleWorkload = 'list-append' | 'rw-register';
/** Which completed-before-invoked pairs the serial order must keep: none, a process's own, or all. */
export type OracleOrder = 'none' | 'process' | 'realtime';
/** An assumed version order: where both write a key, a's write of it comes before b's. */
export type WriteOrder = (a: Operation, b: Operation) => boolean;
/** Each key on its own a linearizable register (real time) or a sequential one (process order). */
export type KeyAssumption = 'linearizable' | 'sequential';
type Mop = readonly [string, string | number, Json];
type State = ReadonlyMap<string, Json>;

/**
 * Whether the history is serializable: some set of committed transactions (every `ok` one,
 * any subset of the `info` ones, no `fail` one) in some serial order gives every `ok` read
 * exactly what it returned (list-append: the appends to the key so far, nil meaning empty;
 * rw-register: the last write, or nil). Reads of `info` transactions are unknown and oblige
 * nothing. With `realtime` (strict serializability) the order must also put A before B
 * whenever A completed `ok` before B was invoked; with `process` (strong session
 * serializability) only when both ran on one process. An `info` transaction never
 * completed, so nothing must follow it. With `ranks` (a transaction order), of two ranked
 * transactions that write a common key, the lower-ranked one comes first; given as a
 * function, that function says which comes first.
 *
 * With `keys` the whole need only be serializable, but each key on its own must be a
 * linearizable register (`linearizable`: Elle's linearizable-keys) or a sequentially
 * consistent one (`sequential`: sequential-keys). A key's operations are the committed
 * transactions touching it (an `info` one only by its writes: its reads are unknown), each
 * atomic on the key. Ordering only the *writers* of a key by real time is too weak: a
 * linearizable register orders its reads too, so a read that completed before a write was
 * invoked must not see that write or anything after it. Since each key's versions and
 * reads in the serial order form a legal register history, the key is linearizable exactly
 * when the serial order can be rearranged per key to respect real time without changing
 * what any access saw — that is, when no access A that completed before access B was
 * invoked is placed after B in the serial order, unless both only read the key and saw the
 * same version (two readers of one version may be swapped freely). Only that is checked:
 * the serial order across keys need not respect real time (a non-real-time model).
 */
export function explainable(
  ops: readonly Operation[],
  workload: OracleWorkload,
  order: OracleOrder,
  ranks?: ReadonlyMap<Operation, number> | WriteOrder,
  keys?: KeyAssumption,
): boolean {
  const txns = ops.filter((o) => o.f === 'txn' && o.type !== 'fail');
  const n = txns.length;
  if (n > 30) throw new Error(`the oracle is for small histories, not ${n} transactions`);
  const mops = txns.map((o) => (o.type === 'ok' ? o.output : o.input) as unknown as Mop[]);
  let mustAll = 0;
  const mustPrecede = txns.map((b) => {
    let m = 0;
    txns.forEach((a, i) => {
      if (order === 'none' || a.type !== 'ok' || !(a.ret < b.call)) return;
      if (order === 'realtime' || a.process === b.process) m |= 1 << i;
    });
    return m;
  });
  txns.forEach((o, i) => (o.type === 'ok' ? (mustAll |= 1 << i) : 0));
  // Transactions that must not be placed already when this one is: ranked higher, writing a common key.
  const writes = mops.map((ms) => new Set(ms.filter(([f]) => f !== 'r').map(([, k]) => keyOf(k))));
  const writesBefore: WriteOrder =
    typeof ranks === 'function'
      ? ranks
      : (a, b) => {
          const ra = ranks?.get(a);
          const rb = ranks?.get(b);
          return ra !== undefined && rb !== undefined && ra < rb;
        };
  const rankedAfter = txns.map((a, i) => {
    let m = 0;
    txns.forEach((b, j) => {
      if (i !== j && writesBefore(a, b) && [...writes[i]!].some((k) => writes[j]!.has(k))) m |= 1 << j;
    });
    return m;
  });
  // Per key, what each committed transaction does there: only reads (the value it read; reads
  // of an info transaction are unknown, so it counts only where it writes) or writes.
  const access = txns.map((o, i) => {
    const m = new Map<string, { readOnly: boolean; read: string }>();
    for (const [f, k, v] of mops[i]!) {
      const key = keyOf(k);
      if (f !== 'r') m.set(key, { readOnly: false, read: '' });
      else if (o.type === 'ok' && !m.has(key)) m.set(key, { readOnly: true, read: JSON.stringify(readValue(v, workload)) });
    }
    return m;
  });
  // keyBefore[i]: the transactions j such that i's access of a common key must come first (i completed before j was invoked).
  const keyBefore = txns.map((a, i) =>
    txns.flatMap((b, j) => (keys !== undefined && i !== j && a.type === 'ok' && a.ret < b.call && (keys === 'linearizable' || a.process === b.process) ? [j] : [])),
  );
  /** Whether placing i now keeps every key linearizable (sequential): see above. */
  const keysAllow = (i: number, placed: number, state: State): boolean => {
    for (const j of keyBefore[i]!) {
      if (((placed >> j) & 1) === 0) continue;
      for (const [key, mine] of access[i]!) {
        const theirs = access[j]!.get(key);
        if (theirs === undefined) continue;
        // j, placed earlier, read a version no later than the current one: the same exactly when no write came between.
        const now = JSON.stringify(readValue(state.get(key) ?? null, workload));
        if (!(mine.readOnly && theirs.readOnly && theirs.read === now)) return false;
      }
    }
    return true;
  };
  const dead = new Set<string>();
  const search = (placed: number, state: State): boolean => {
    if ((placed & mustAll) === mustAll) return true;
    const memo = `${placed}|${JSON.stringify([...state].sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (dead.has(memo)) return false;
    for (let i = 0; i < n; i++) {
      if ((placed >> i) & 1 || (mustPrecede[i]! & ~placed) !== 0 || (rankedAfter[i]! & placed) !== 0) continue;
      if (keys !== undefined && !keysAllow(i, placed, state)) continue;
      const next = run(state, mops[i]!, txns[i]!.type === 'ok', workload);
      if (next !== undefined && search(placed | (1 << i), next)) return true;
    }
    dead.add(memo);
    return false;
  };
  return search(0, new Map());
}

const keyOf = (k: string | number): string => `${typeof k}:${k}`;

/** A read's value as the serial state holds it (list-append: nil is the empty list). */
const readValue = (v: Json, workload: OracleWorkload): Json => (workload === 'list-append' && v === null ? [] : v);

/** Runs one transaction on `state`; undefined when a read it must explain disagrees. */
function run(state: State, mops: readonly Mop[], checkReads: boolean, workload: OracleWorkload): State | undefined {
  const next = new Map(state);
  for (const [f, k, v] of mops) {
    const key = keyOf(k);
    const now = next.get(key);
    if (f === 'append') next.set(key, [...((now as Json[] | undefined) ?? []), v]);
    else if (f === 'w') next.set(key, v);
    else if (checkReads) {
      const expected = workload === 'list-append' ? (now ?? []) : (now ?? null);
      const got = workload === 'list-append' && v === null ? [] : v;
      if (JSON.stringify(got) !== JSON.stringify(expected)) return undefined;
    }
  }
  return next;
}


/**
 * Whether each key's version order is known to the checker: its committed writers (ok ones,
 * and info ones a committed read saw) can be put in one order in which each next writer is
 * known to follow the one before — it is an ok transaction that first read that writer's
 * final value and then wrote, or that writer completed ok before it was invoked (with
 * `realtime`; with `process`, on the same process), or both have ranks (a transaction order) and
 * the rank of the one before is lower.
 */
export function versionOrderFixed(ops: readonly Operation[], order: OracleOrder, ranks?: ReadonlyMap<Operation, number>): boolean {
  const mopsOf = (o: Operation): Mop[] => (o.type === 'ok' ? o.output : o.input) as unknown as Mop[];
  const writerOf = new Map<string, Operation>();
  for (const o of ops) if (o.type !== 'fail') for (const [f, k, v] of mopsOf(o)) if (f === 'w') writerOf.set(`${k}/${String(v)}`, o);
  const seen = new Set<Operation>();
  for (const o of ops) if (o.type === 'ok') for (const [f, k, v] of mopsOf(o)) if (f === 'r' && v !== null) seen.add(writerOf.get(`${k}/${String(v)}`)!);
  const finalOf = (o: Operation, k: string | number): Json | undefined => mopsOf(o).findLast(([f, kk]) => f === 'w' && kk === k)?.[2];
  const keys = new Set(ops.flatMap((o) => mopsOf(o).map(([, k]) => k)));
  for (const k of keys) {
    const W = ops.filter((o) => (o.type === 'ok' || (o.type === 'info' && seen.has(o))) && finalOf(o, k) !== undefined);
    const follows = (b: Operation, a: Operation): boolean => {
      const ra = ranks?.get(a);
      const rb = ranks?.get(b);
      if (ra !== undefined && rb !== undefined && ra < rb) return true;
      if (order !== 'none' && a.type === 'ok' && a.ret < b.call && (order === 'realtime' || a.process === b.process)) return true;
      if (b.type !== 'ok') return false;
      const first = mopsOf(b).find(([, kk]) => kk === k)!;
      return first[0] === 'r' && first[2] !== null && writerOf.get(`${k}/${String(first[2])}`) === a && finalOf(a, k) === first[2];
    };
    const chain = (last: Operation | undefined, rest: Operation[]): boolean =>
      rest.length === 0 || rest.some((b, i) => (last === undefined || follows(b, last)) && chain(b, rest.filter((_, j) => j !== i)));
    if (!chain(undefined, W)) return false;
  }
  return true;
}


/**
 * Whether the history has a snapshot-isolation schedule, found by brute force and without any
 * dependency graph: some set of committed transactions (every `ok` one, any subset of the
 * `info` ones, no `fail` one), each given a snapshot point and a later commit point in one
 * sequence of events, such that
 *  - every `ok` transaction's reads return what its snapshot held: each key's last write
 *    committed before the snapshot (nil if none), or the transaction's own earlier write;
 *  - no two transactions that write a common key overlap (first committer wins): one commits
 *    before the other takes its snapshot;
 *  - with `realtime` (strong snapshot isolation), a transaction that completed `ok` before
 *    another was invoked commits before that one's snapshot; with `process` (strong session
 *    snapshot isolation), only when both ran on one process.
 * Each key's version order is then the commit order of its writers.
 */
export function snapshotExplainable(ops: readonly Operation[], workload: OracleWorkload, order: OracleOrder): boolean {
  const txns = ops.filter((o) => o.f === 'txn' && o.type !== 'fail');
  const n = txns.length;
  if (n > 8) throw new Error(`the snapshot oracle is for small histories, not ${n} transactions`);
  const mops = txns.map((o) => (o.type === 'ok' ? o.output : o.input) as unknown as Mop[]);
  const writes = mops.map((ms) => new Set(ms.filter(([f]) => f !== 'r').map(([, k]) => keyOf(k))));
  const mustPrecede = txns.map((b) =>
    txns.map((a) => order !== 'none' && a.type === 'ok' && a.ret < b.call && (order === 'realtime' || a.process === b.process)),
  );
  const pow = txns.map((_, i) => 3 ** i);
  const dead = new Set<string>();
  // phase[i]: 0 not started, 1 snapshot taken, 2 committed. `store`: the committed state.
  const phase = new Array<number>(n).fill(0);
  // What each started transaction will have written when it commits (its state after running on its snapshot, own keys only).
  const effect: (State | undefined)[] = new Array<State | undefined>(n);
  const search = (code: number, store: State): boolean => {
    if (txns.every((o, i) => phase[i] === 2 || (phase[i] === 0 && o.type !== 'ok'))) return true;
    // A started transaction's effect depends on its snapshot (list-append), so it is part of the state.
    const pending = effect.map((e, i) => (phase[i] === 1 ? [...e!] : 0));
    const memo = `${code}|${JSON.stringify([...store].sort(([a], [b]) => (a < b ? -1 : 1)))}|${JSON.stringify(pending)}`;
    if (dead.has(memo)) return false;
    for (let i = 0; i < n; i++) {
      if (phase[i] === 0) {
        if (mustPrecede[i]!.some((m, a) => m && phase[a] !== 2)) continue;
        const after = run(store, mops[i]!, txns[i]!.type === 'ok', workload);
        if (after === undefined) continue;
        phase[i] = 1;
        effect[i] = new Map([...after].filter(([k]) => writes[i]!.has(k)));
        const ok = search(code + pow[i]!, store);
        phase[i] = 0;
        if (ok) return true;
      } else if (phase[i] === 1) {
        // First committer wins: no writer of a common key may be between its snapshot and its commit now.
        if (txns.some((_, j) => j !== i && phase[j] === 1 && [...writes[i]!].some((k) => writes[j]!.has(k)))) continue;
        phase[i] = 2;
        const next = new Map(store);
        for (const [k, v] of effect[i]!) next.set(k, v);
        const ok = search(code + pow[i]!, next);
        phase[i] = 1;
        if (ok) return true;
      }
    }
    dead.add(memo);
    return false;
  };
  return search(0, new Map());
}
