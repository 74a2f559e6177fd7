import type { Json, Key } from '../../history/event.js';
import { type EdgeStore, PROCESS, REALTIME, RW, WR, WW } from './graph.js';
import type { CandidateEdge, Constraint } from './polygraph.js';
import { type Observation, observedPairs } from './observed-order.js';
import type { TxnTable } from './table.js';
import { AnomalyLog, type Inference, type VersionChoices, KeyTable, show, showMops, txnName, txnRef, valueKey } from './transactions.js';

type VKey = ReturnType<typeof valueKey>;
const INITIAL: VKey = '\u0000initial';

/** Where rw-register's version order comes from, beyond the initial state and the reads. */
/**
 * How many pairs of a key's writers the polygraph search takes on at most (each one
 * constraint, two alternatives with the readers' rw edges; measured: 2M pairs under snapshot
 * isolation took 23 s and 3.4 GB). Past it the keys with the most pairs are undecided:
 * `unknown`, never a guess.
 */
export const WRITE_PAIR_LIMIT = 1_000_000;

export interface RwOrderOptions {
  process: boolean;
  realtime: boolean;
  /** Writes follow reads: a committed transaction that read v of a key and then wrote it put its write after v. */
  wfr: boolean;
  linearizableKeys?: boolean;
  sequentialKeys?: boolean;
  /** A commit order the database reports: completion event index → position; each key's versions follow it. */
  transactionOrder?: ReadonlyMap<number, number>;
}

/**
 * Read-write register inference, assuming each value is written at most once per key. A
 * register read names only its writer, so the version order is known only where the
 * history shows it: the initial state (nil) precedes every write, and a committed
 * transaction that read v and then wrote w put w after v. From that:
 *  - wr: the writer of the value read → the reader;
 *  - ww: the writer of v → a transaction that read v and overwrote it;
 *  - rw: every other reader of v → that overwriting transaction (and readers of nil → every committed writer).
 * An indeterminate transaction whose write a committed read saw did commit: its writes count
 * as a committed transaction's (its reads stay unknown).
 */
export function inferRwRegister(
  table: TxnTable,
  log: AnomalyLog,
  edges: EdgeStore,
  order: RwOrderOptions = { process: false, realtime: false, wfr: true },
): Inference {
  // Objects per transaction: rw-register is not yet columnar inside (list-append is).
  const ops = table.opViews();
  const mops = ops.map((_, t) => table.mops(t, 'w'));
  const { node } = table;
  const keys = new KeyTable();
  const elemIds: Map<VKey, number>[] = [];
  const elemKey: number[] = [];
  const elemValue: Json[] = [];
  const elemTxn: number[] = [];
  const elemFinal: number[] = [];
  const readTxn: number[] = [];
  const readKey: number[] = [];
  const readValue: Json[] = [];
  /** The element the reading transaction wrote over what it read, or -1. */
  const readOverwrite: number[] = [];
  const writersOfKey: number[][] = [];
  const committedInfo = new Map<number, string>();
  const ref = (t: number): ReturnType<typeof txnRef> => txnRef(ops[t]!, mops[t]! as unknown as Json);

  for (let t = 0; t < ops.length; t++) {
    const ms = mops[t]!;
    for (let j = 0; j < ms.length; j++) {
      const [f, k, v] = ms[j]!;
      if (f !== 'w') continue;
      const kid = keys.id(k);
      const ids = (elemIds[kid] ??= new Map());
      const vk = valueKey(v);
      if (ids.has(vk)) continue;
      for (let i = j - 1; i >= 0; i--) {
        const p = ms[i]!;
        if (p[0] === 'w' && p[1] === k) {
          const pe = ids.get(valueKey(p[2]));
          if (pe !== undefined && elemTxn[pe] === t) elemFinal[pe] = 0;
          break;
        }
      }
      ids.set(vk, elemTxn.length);
      elemKey.push(kid);
      elemValue.push(v);
      elemTxn.push(t);
      elemFinal.push(1);
    }
  }

  for (let t = 0; t < ops.length; t++) {
    if (ops[t]!.type !== 'ok') continue;
    const ms = mops[t]!;
    for (let j = 0; j < ms.length; j++) {
      const [f, k, v] = ms[j]!;
      if (f !== 'r') continue;
      const kid = keys.id(k);
      let own: Json | undefined;
      let ownRead = false;
      for (let i = j - 1; i >= 0; i--) {
        const p = ms[i]!;
        if (p[1] !== k) continue;
        own = p[2];
        ownRead = p[0] === 'r';
        break;
      }
      if (own !== undefined) {
        if (valueKey(own) !== valueKey(v)) {
          log.add('internal', () => ({
            txns: [ref(t)],
            key: k,
            explanation: `${txnName(ops[t]!)} read key ${show(k)} = ${show(v)}, but it had just ${ownRead ? 'read' : 'written'} ${show(own)} there: ${showMops(ms)}`,
          }));
        }
        continue;
      }
      readTxn.push(t);
      readKey.push(kid);
      readValue.push(v);
      let last = -1;
      for (let i = j + 1; i < ms.length; i++) if (ms[i]![0] === 'w' && ms[i]![1] === k) last = i;
      readOverwrite.push(last < 0 ? -1 : elemIds[kid]!.get(valueKey(ms[last]![2]))!);
    }
  }

  const readersOf = new Map<number, Map<VKey, number[]>>();
  const rmw = new Map<number, Map<VKey, number>>();
  for (let r = 0; r < readTxn.length; r++) {
    const t = readTxn[r]!;
    const kid = readKey[r]!;
    const v = readValue[r]!;
    const k = keys.keys[kid]!;
    const vk = v === null ? INITIAL : valueKey(v);
    const who = txnName(ops[t]!);
    let byValue = readersOf.get(kid);
    if (byValue === undefined) readersOf.set(kid, (byValue = new Map()));
    const list = byValue.get(vk);
    if (list === undefined) byValue.set(vk, [r]);
    else list.push(r);
    const over = readOverwrite[r]!;
    if (over >= 0 && elemTxn[over] === t) {
      let m = rmw.get(kid);
      if (m === undefined) rmw.set(kid, (m = new Map()));
      const other = m.get(vk);
      if (other === undefined) m.set(vk, r);
      else if (other >= 0) {
        m.set(vk, -1);
        log.add('lost-update', () => ({
          txns: [ref(readTxn[other]!), ref(t)],
          key: k,
          explanation: `${txnName(ops[readTxn[other]!]!)} and ${who} both read key ${show(k)} = ${show(v)} and then wrote it: one of the updates was lost`,
        }));
      }
    }
    if (v === null) continue;
    const e = elemIds[kid]?.get(vk);
    if (e === undefined) {
      log.add('garbage-read', () => ({ txns: [ref(t)], key: k, explanation: `${who} read key ${show(k)} = ${show(v)}, which no transaction wrote` }));
      continue;
    }
    const w = elemTxn[e]!;
    if (w === t) {
      log.add('future-read', () => ({ txns: [ref(t)], key: k, explanation: `${who} read key ${show(k)} = ${show(v)}, a value it only writes later: ${showMops(mops[t]!)}` }));
      continue;
    }
    // An indeterminate writer whose value a committed read saw did commit (its reads stay unknown).
    if (ops[w]!.type === 'info' && !committedInfo.has(w)) {
      committedInfo.set(w, `${txnName(ops[w]!)} (info, committed: its write ${show(v)} to key ${show(k)} was read by ${who})`);
    }
    if (node[w]! < 0) {
      log.add('G1a', () => ({
        txns: [ref(t), ref(w)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${show(v)}, written by ${txnName(ops[w]!)}, which failed (aborted read)`,
      }));
      continue;
    }
    if (elemFinal[e] === 0) {
      log.add('G1b', () => ({
        txns: [ref(t), ref(w)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${show(v)}, which ${txnName(ops[w]!)} overwrote within the same transaction (intermediate read): ${showMops(mops[w]!)}`,
      }));
    }
    edges.add(node[w]!, node[t]!, WR, r, e);
  }

  // Every write of a committed transaction, indeterminate ones known to have committed included.
  for (let e = 0; e < elemTxn.length; e++) {
    const w = elemTxn[e]!;
    if (ops[w]!.type === 'ok' || committedInfo.has(w)) (writersOfKey[elemKey[e]!] ??= []).push(e);
  }

  // Version order: nil before every write; a value before what a committed reader wrote over it.
  for (let r = 0; r < readTxn.length; r++) {
    const t = readTxn[r]!;
    const kid = readKey[r]!;
    const v = readValue[r]!;
    const over = readOverwrite[r]!;
    if (v === null) {
      for (const e of writersOfKey[kid] ?? []) if (elemTxn[e] !== t) edges.add(node[t]!, node[elemTxn[e]!]!, RW, r, e);
    }
    if (!order.wfr || over < 0 || ops[t]!.type !== 'ok') continue;
    const vk = v === null ? INITIAL : valueKey(v);
    if (v !== null) {
      const e = elemIds[kid]?.get(vk);
      if (e !== undefined && node[elemTxn[e]!]! >= 0 && elemTxn[e] !== t) edges.add(node[elemTxn[e]!]!, node[t]!, WW, e, over);
      for (const other of readersOf.get(kid)?.get(vk) ?? []) {
        if (readTxn[other] !== t) edges.add(node[readTxn[other]!]!, node[t]!, RW, other, over);
      }
    }
  }

  // Order edges that are anti-dependencies given the model's order (named as rw in cycles).
  const antiDependencies = edges.orderedAnti;
  // Edges of an order asserted of the keys (linearizable or sequential), with that order.
  const fromKeyOrder = new Map<number, typeof PROCESS | typeof REALTIME>();
  // Asserted by the user of every key, the orders are the version order itself: rw edges.
  // Implied only by the model, they hold only given that order: edges of its kind.
  if (order.process || order.sequentialKeys === true) addOrderedVersionEdges(PROCESS, order.sequentialKeys === true ? RW : PROCESS);
  if (order.realtime || order.linearizableKeys === true) addOrderedVersionEdges(REALTIME, order.linearizableKeys === true ? RW : REALTIME);
  // Reads ordered by real time against writes and reads of a linearizable key (Elle's
  // linearizable-keys orders every operation on the key): asserted, they are rw/ww edges;
  // implied by a real-time model only, they are real-time edges.
  // Process order (sequential keys, strong-session models) does the same for one process's operations.
  const fromObserved = new Map<number, { first: Observation; second: Observation; ww: boolean; by: typeof PROCESS | typeof REALTIME }>();
  if (order.realtime || order.linearizableKeys === true) addObservedEdges(order.linearizableKeys === true, REALTIME);
  // (Real time orders a process's operations too: under it, process order adds nothing.)
  if (order.sequentialKeys === true && order.linearizableKeys !== true) addObservedEdges(true, PROCESS);
  else if (order.process && !order.realtime && order.linearizableKeys !== true) addObservedEdges(false, PROCESS);
  // Edges the transaction order gave, to explain them as such.
  const fromTxnOrder = new Set<number>();
  const rank = (t: number): number | undefined => order.transactionOrder?.get(ops[t]!.completeIndex);
  if (order.transactionOrder !== undefined) addTransactionOrderEdges();

  /**
   * The database's own commit order, as Elle's `:transaction-order`: each key's committed
   * versions are in the order of their transactions' positions. Consecutive versions a < b
   * give writer(a) ww→ writer(b) and every reader of a rw→ writer(b); the rest follow.
   */
  function addTransactionOrderEdges(): void {
    for (let kid = 0; kid < writersOfKey.length; kid++) {
      const ranked = (writersOfKey[kid] ?? []).filter((e) => elemFinal[e] === 1 && rank(elemTxn[e]!) !== undefined);
      ranked.sort((x, y) => rank(elemTxn[x]!)! - rank(elemTxn[y]!)!);
      for (let i = 1; i < ranked.length; i++) {
        const a = ranked[i - 1]!;
        const b = ranked[i]!;
        const wa = elemTxn[a]!;
        const wb = elemTxn[b]!;
        fromTxnOrder.add(edges.length);
        edges.add(node[wa]!, node[wb]!, WW, a, b);
        for (const r of readersOf.get(elemKey[a]!)?.get(valueKey(elemValue[a]!)) ?? []) {
          if (readTxn[r] === wb) continue;
          fromTxnOrder.add(edges.length);
          edges.add(node[readTxn[r]!]!, node[wb]!, RW, r, b);
        }
      }
    }
  }

  /**
   * Under real-time order, a write whose transaction completed before another committed write
   * of the key was invoked is the earlier version, so every reader of the first must precede
   * the second; under process order, the same for two writes of one process. Such an edge
   * holds only given that order, so it is of that order's kind (its cycles get the
   * `-realtime` or `-process` suffix). Per write A, only the writes invoked after A completed
   * and before the first of them completed get one; the later ones follow by order edges.
   * An info transaction completes never, so it is never the earlier one.
   */
  function addOrderedVersionEdges(kind: typeof PROCESS | typeof REALTIME, edgeKind: typeof PROCESS | typeof REALTIME | typeof RW): void {
    for (let kid = 0; kid < writersOfKey.length; kid++) {
      const all = (writersOfKey[kid] ?? []).filter((e) => elemFinal[e] === 1);
      if (all.length < 2) continue;
      const groups = new Map<number, number[]>();
      for (const e of all) {
        const g = kind === PROCESS ? ops[elemTxn[e]!]!.process : 0;
        const list = groups.get(g);
        if (list === undefined) groups.set(g, [e]);
        else list.push(e);
      }
      for (const ws of groups.values()) if (ws.length > 1) orderedWrites(kid, ws, kind, edgeKind);
    }
  }

  function orderedWrites(kid: number, ws: number[], by: typeof PROCESS | typeof REALTIME, kind: typeof PROCESS | typeof REALTIME | typeof RW): void {
    const call = (e: number): number => ops[elemTxn[e]!]!.call;
    ws.sort((x, y) => call(x) - call(y));
    const minRet = new Float64Array(ws.length + 1).fill(Infinity);
    for (let i = ws.length - 1; i >= 0; i--) {
      const op = ops[elemTxn[ws[i]!]!]!;
      minRet[i] = Math.min(minRet[i + 1]!, op.type === 'ok' ? op.ret : Infinity);
    }
    for (const a of ws) {
      const A = ops[elemTxn[a]!]!;
      if (A.type !== 'ok') continue;
      // Asserted of the key, the order is the version order: the writers get a ww edge too
      // (implied by the model, the order edge between the transactions is already there).
      const readers = readersOf.get(kid)?.get(valueKey(elemValue[a]!));
      if (readers === undefined && kind !== RW) continue;
      let lo = 0;
      let hi = ws.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (call(ws[mid]!) > A.ret) hi = mid;
        else lo = mid + 1;
      }
      for (let i = lo; i < ws.length && call(ws[i]!) <= minRet[lo]!; i++) {
        const b = ws[i]!;
        if (kind === RW && elemTxn[b] !== elemTxn[a]) {
          fromKeyOrder.set(edges.length, by);
          edges.add(node[elemTxn[a]!]!, node[elemTxn[b]!]!, WW, a, b);
        }
        for (const r of readers ?? []) {
          if (readTxn[r] === elemTxn[b]) continue;
          if (kind === RW) fromKeyOrder.set(edges.length, by);
          else antiDependencies.add(edges.length);
          edges.add(node[readTxn[r]!]!, node[elemTxn[b]!]!, kind, r, b);
        }
      }
    }
  }

  /**
   * For each key, x < y from an observation of x completing before one of y was invoked (by
   * PROCESS: on the same process): writer(x) ww→ writer(y) and every reader of x rw→
   * writer(y). Nil is first anyway. Asserted of the key, two observations admit no version
   * order at all when a non-nil version was seen before a read of nil, or a read of x
   * completed before x's writer was invoked (implied by the model only, the order edges
   * between the transactions close a cycle there already).
   */
  function addObservedEdges(asserted: boolean, by: typeof PROCESS | typeof REALTIME): void {
    const groups = new Map<string, Observation[]>();
    const push = (kid: number, o: Observation): void => {
      const g = by === PROCESS ? `${kid}/${ops[o.txn]!.process}` : `${kid}`;
      const list = groups.get(g);
      if (list === undefined) groups.set(g, [o]);
      else list.push(o);
    };
    const interval = (t: number): { call: number; ret: number } => ({ call: ops[t]!.call, ret: ops[t]!.type === 'ok' ? ops[t]!.ret : Infinity });
    for (let kid = 0; kid < writersOfKey.length; kid++) {
      for (const e of writersOfKey[kid] ?? []) {
        if (elemFinal[e] === 1 && node[elemTxn[e]!]! >= 0) push(kid, { txn: elemTxn[e]!, elem: e, write: true, ...interval(elemTxn[e]!) });
      }
    }
    for (let r = 0; r < readTxn.length; r++) {
      const t = readTxn[r]!;
      const v = readValue[r]!;
      const e = v === null ? -1 : elemIds[readKey[r]!]?.get(valueKey(v));
      // Only reads of a committed final version order anything (garbage, aborted and intermediate reads are reported apart).
      if (e === undefined || (e >= 0 && (elemFinal[e] !== 1 || elemTxn[e] === t || node[elemTxn[e]!]! < 0))) continue;
      if (e >= 0 && ops[elemTxn[e]!]!.type !== 'ok' && !committedInfo.has(elemTxn[e]!)) continue;
      push(readKey[r]!, { txn: t, elem: e, write: false, ...interval(t) });
    }
    const ww = asserted ? WW : by;
    const rw = asserted ? RW : by;
    const assumed = by === REALTIME ? 'linearizable' : 'sequential';
    const before = (o: Observation): string => (by === REALTIME ? 'completed before' : `ran on process ${ops[o.txn]!.process} before`);
    // Many observations of one version pair give the same edges (from every reader of x): once per pair.
    const done = new Set<number>();
    for (const obs of groups.values()) {
      for (const pair of observedPairs(obs)) {
        const x = pair.first.elem;
        const y = pair.second.elem;
        // Write before write is addOrderedVersionEdges' already (explained there as such).
        if (x < 0 || (pair.first.write && pair.second.write)) continue;
        if (y >= 0 && x !== y) {
          const id = x * elemTxn.length + y;
          if (done.has(id)) continue;
          done.add(id);
        }
        if (x === y || y < 0) {
          // A read of x before x's writer (observedPairs pairs one version only so), or x seen
          // before a read of the initial nil: only an asserted key order makes that an anomaly.
          if (asserted) {
            const k = keys.keys[elemKey[x]!]!;
            const first = `${txnName(ops[pair.first.txn]!)} ${x === y ? 'read' : 'saw'} key ${show(k)} = ${show(elemValue[x])} and ${before(pair.first)} ${txnName(ops[pair.second.txn]!)}`;
            const second = x === y ? ', which wrote it, was invoked;' : ' was invoked, which read nil (the initial state) there;';
            log.add('incompatible-order', () => ({
              txns: [ref(pair.first.txn), ref(pair.second.txn)],
              key: k,
              explanation: `${first}${second} the key is ${assumed}, so no version order fits`,
            }));
          }
          continue;
        }
        const wx = elemTxn[x]!;
        const wy = elemTxn[y]!;
        const kid = elemKey[x]!;
        if (wx !== wy) {
          fromObserved.set(edges.length, { ...pair, ww: true, by });
          edges.add(node[wx]!, node[wy]!, ww, x, y);
        }
        for (const r of readersOf.get(kid)?.get(valueKey(elemValue[x]!)) ?? []) {
          if (readTxn[r] === wy) continue;
          fromObserved.set(edges.length, { ...pair, ww: false, by });
          if (!asserted) antiDependencies.add(edges.length);
          edges.add(node[readTxn[r]!]!, node[wy]!, rw, r, y);
        }
      }
    }
  }

  function explainObserved(kind: number, a: number, b: number, pair: { first: Observation; second: Observation; ww: boolean; by: typeof PROCESS | typeof REALTIME }): { key: Key; why: string } {
    const k = keys.keys[elemKey[b]!]!;
    const x = pair.first.elem;
    const arrow = kind === REALTIME ? 'realtime' : kind === PROCESS ? 'process' : pair.ww ? 'ww' : 'rw';
    const assumed =
      kind === REALTIME
        ? 'the model orders transactions by real time'
        : kind === PROCESS
          ? 'the model orders each process\'s transactions'
          : `the key is ${pair.by === REALTIME ? 'linearizable' : 'sequential'}`;
    const before = pair.by === REALTIME ? 'completed before' : `ran on process ${ops[pair.first.txn]!.process} before`;
    const seen = (o: Observation): string => `${txnName(ops[o.txn]!)} saw ${show(elemValue[o.elem])}`;
    const src = txnName(ops[pair.ww ? elemTxn[a]! : readTxn[a]!]!);
    const what = pair.ww ? `${src} wrote ${show(elemValue[x])}` : `${src} read ${show(elemValue[x])}`;
    return {
      key: k,
      why:
        `${seen(pair.first)} on key ${show(k)} and ${before} ${seen(pair.second)} there was invoked; ${assumed}, ` +
        `so ${show(elemValue[x])} precedes ${show(elemValue[b])}; ${what} ⇒ ${src} ${arrow}→ ${txnName(ops[elemTxn[b]!]!)}`,
    };
  }

  function explainTxnOrder(kind: number, a: number, b: number): { key: Key; why: string } {
    const later = elemTxn[b]!;
    const to = txnName(ops[later]!);
    const at = (t: number): string => `${txnName(ops[t]!)} at position ${rank(t)}`;
    if (kind === WW) {
      const k = keys.keys[elemKey[a]!]!;
      const from = txnName(ops[elemTxn[a]!]!);
      return {
        key: k,
        why: `${from} wrote ${show(elemValue[a])} to key ${show(k)} and ${to} wrote ${show(elemValue[b])} there; the transaction order puts ${at(elemTxn[a]!)} before ${at(later)} ⇒ ${from} ww→ ${to}`,
      };
    }
    const k = keys.keys[readKey[a]!]!;
    const reader = txnName(ops[readTxn[a]!]!);
    const v = readValue[a]!;
    const writer = elemTxn[elemIds[readKey[a]!]!.get(valueKey(v))!]!;
    return {
      key: k,
      why:
        `${reader} read key ${show(k)} = ${show(v)}, written by ${txnName(ops[writer]!)}; the transaction order puts ${at(writer)} before ${at(later)}, ` +
        `which wrote ${show(elemValue[b])} there, so ${show(elemValue[b])} is a later version ⇒ ${reader} rw→ ${to}`,
    };
  }

  /**
   * Polygraph constraints: for each key, each pair of committed final writes W1, W2 at least
   * one of which a committed read saw is ordered one way or the other: W1 ww→ W2 and every
   * other reader of W1's value rw→ W2, or the same with W1 and W2 swapped. Pairs nobody read
   * are free where every cycle is forbidden (any topological order of the rest orders them),
   * so they are left out unless `everyPair` (snapshot isolation: two writers of a key must
   * not overlap, so even an unread pair can have no possible order).
   */
  function constraints(everyPair: boolean, skip?: ReadonlySet<number>): Constraint[] {
    const out: Constraint[] = [];
    const alt = (first: number, second: number): CandidateEdge[] => {
      const later = elemTxn[second]!;
      const list: CandidateEdge[] = [{ src: node[elemTxn[first]!]!, dst: node[later]!, kind: WW, a: first, b: second }];
      for (const r of readersOfElem(first)) if (readTxn[r] !== later) list.push({ src: node[readTxn[r]!]!, dst: node[later]!, kind: RW, a: r, b: second });
      return list;
    };
    const byKey = committedWriters();
    for (let kid = 0; kid < byKey.length; kid++) {
      if (skip?.has(kid) === true) continue;
      const ws = byKey[kid] ?? [];
      const read = ws.map((e) => readersOfElem(e).length > 0);
      for (let i = 0; i < ws.length; i++) {
        for (let j = i + 1; j < ws.length; j++) {
          if (everyPair || read[i] || read[j]) out.push({ key: kid, alts: [alt(ws[i]!, ws[j]!), alt(ws[j]!, ws[i]!)] });
        }
      }
    }
    return out;
  }

  /** Per key, its committed final writes (the versions a constraint orders). */
  function committedWriters(): number[][] {
    const byKey: number[][] = [];
    for (let e = 0; e < elemTxn.length; e++) {
      const w = elemTxn[e]!;
      if (elemFinal[e] === 1 && node[w]! >= 0 && (ops[w]!.type === 'ok' || committedInfo.has(w))) (byKey[elemKey[e]!] ??= []).push(e);
    }
    return byKey;
  }
  function readersOfElem(e: number): number[] {
    return (readersOf.get(elemKey[e]!)?.get(valueKey(elemValue[e]!)) ?? []).filter((r) => readTxn[r] !== elemTxn[e]);
  }

  /**
   * The keys to leave undecided so that the constraints stay within WRITE_PAIR_LIMIT (counted,
   * not built), most pairs first: a key written thousands of times whose order the reads leave
   * open would build millions of constraints, and the process would run out of memory
   * rather than answer.
   */
  function oversized(everyPair: boolean): number[] {
    const pairs = (m: number): number => (m * (m - 1)) / 2;
    const counts = committedWriters().map((ws) => {
      const unread = ws.filter((e) => readersOfElem(e).length === 0).length;
      return everyPair ? pairs(ws.length) : pairs(ws.length) - pairs(unread);
    });
    let total = counts.reduce((a, b) => a + (b ?? 0), 0);
    const over: number[] = [];
    if (total <= WRITE_PAIR_LIMIT) return over;
    for (const kid of counts.flatMap((n, k) => (n > 0 ? [k] : [])).sort((a, b) => counts[b]! - counts[a]!)) {
      if (total <= WRITE_PAIR_LIMIT) break;
      over.push(kid);
      total -= counts[kid]!;
    }
    return over;
  }

  const version = (e: number): string => `${txnName(ops[elemTxn[e]!]!)}'s ${show(elemValue[e])}`;
  const versionChoices: VersionChoices = {
    constraints,
    oversized,
    tooManyPairs: (over) =>
      `the committed writes of key(s) ${over} make more than ${WRITE_PAIR_LIMIT} pairs whose order the reads leave open, ` +
      `more than the polygraph search takes on, and the other keys' orders leave no cycle; give the order (--linearizable-keys, --sequential-keys) or read those keys more often to decide`,
    keyName: (kid) => keys.keys[kid]!,
    describe(c, which) {
      const ww = c.alts[which][0]!;
      return `${version(ww.a)} before ${version(ww.b)} on key ${show(keys.keys[c.key]!)}`;
    },
    explainChoice(x) {
      if (x.kind === WW) {
        const k = keys.keys[elemKey[x.a]!]!;
        return { key: k, why: `with ${version(x.a)} before ${version(x.b)} on key ${show(k)} ⇒ ${txnName(ops[elemTxn[x.a]!]!)} ww→ ${txnName(ops[elemTxn[x.b]!]!)}` };
      }
      const k = keys.keys[readKey[x.a]!]!;
      const reader = txnName(ops[readTxn[x.a]!]!);
      const v = readValue[x.a]!;
      const writer = elemIds[readKey[x.a]!]!.get(valueKey(v))!;
      return {
        key: k,
        why: `${reader} read key ${show(k)} = ${show(v)}, written by ${txnName(ops[elemTxn[writer]!]!)}; with ${version(writer)} before ${version(x.b)} ⇒ ${reader} rw→ ${txnName(ops[elemTxn[x.b]!]!)}`,
      };
    },
  };

  return {
    edges,
    keys: keys.keys.length,
    committedInfo,
    versionChoices,
    explainEdge(e) {
      const kind = edges.kind[e]!;
      const a = edges.a[e]!;
      const b = edges.b[e]!;
      if (fromTxnOrder.has(e)) return explainTxnOrder(kind, a, b);
      const observed = fromObserved.get(e);
      if (observed !== undefined) return explainObserved(kind, a, b, observed);
      const keyOrder = fromKeyOrder.get(e);
      if (keyOrder !== undefined && kind === WW) {
        const k = keys.keys[elemKey[a]!]!;
        const first = ops[elemTxn[a]!]!;
        const from = txnName(first);
        const to = txnName(ops[elemTxn[b]!]!);
        const before = keyOrder === REALTIME ? 'completed before' : `ran on process ${first.process} before`;
        const assumed = keyOrder === REALTIME ? 'linearizable' : 'sequential';
        return {
          key: k,
          why: `${from} wrote ${show(elemValue[a])} to key ${show(k)} and ${before} ${to} was invoked to write ${show(elemValue[b])} there; the key is ${assumed}, so ${show(elemValue[b])} is a later version ⇒ ${from} ww→ ${to}`,
        };
      }
      if (kind === WW) {
        const k = keys.keys[elemKey[a]!]!;
        const from = txnName(ops[elemTxn[a]!]!);
        const to = txnName(ops[elemTxn[b]!]!);
        return { key: k, why: `${from} wrote ${show(elemValue[a])} to key ${show(k)}, which ${to} read and overwrote with ${show(elemValue[b])} ⇒ ${from} ww→ ${to}` };
      }
      const k = keys.keys[readKey[a]!]!;
      const reader = txnName(ops[readTxn[a]!]!);
      const writer = txnName(ops[elemTxn[b]!]!);
      const v = readValue[a]!;
      if (kind === WR) return { key: k, why: `${reader} read key ${show(k)} = ${show(v)}, written by ${writer} ⇒ ${writer} wr→ ${reader}` };
      if (kind === REALTIME || kind === PROCESS || keyOrder !== undefined) {
        const by = keyOrder ?? kind;
        const first = ops[elemTxn[elemIds[readKey[a]!]!.get(valueKey(v))!]!]!;
        const earlier = txnName(first);
        const before = by === REALTIME ? 'completed before' : `ran on process ${first.process} before`;
        const arrow = keyOrder !== undefined ? 'rw' : kind === REALTIME ? 'realtime' : 'process';
        const assumed = keyOrder === undefined ? '' : `; the key is ${keyOrder === REALTIME ? 'linearizable' : 'sequential'}`;
        return {
          key: k,
          why:
            `${reader} read key ${show(k)} = ${show(v)}, written by ${earlier}, which ${before} ${writer} was invoked to write ${show(elemValue[b])} there${assumed}, ` +
            `so ${show(elemValue[b])} is a later version ⇒ ${reader} ${arrow}→ ${writer}`,
        };
      }
      const what = v === null ? 'nil (the initial state)' : show(v);
      return { key: k, why: `${writer} wrote ${show(elemValue[b])} to key ${show(k)} over ${what}, after ${reader} read ${what} there ⇒ ${reader} rw→ ${writer}` };
    },
  };
}
