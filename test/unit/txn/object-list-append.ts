/**
 * The previous list-append inference, frozen: it reads the history as one object per
 * operation and micro-op (OpTable). Kept only so that a property test can hold the columnar
 * inference (src/checker/txn/list-append*.ts) to the same edges and anomalies on random
 * histories; not used by the checker.
 */
import type { Json, Key } from '../../../src/history/event.js';
import type { TxnRef } from '../../../src/checker/txn/types.js';
import { type EdgeStore, RW, WR, WW } from '../../../src/checker/txn/graph.js';
import { type Arena, IntList, IntPairMap } from '../../../src/checker/txn/int-tables.js';
import { exactJsonText } from '../../../src/history/exact-json.js';
import {
  AnomalyLog,
  type Inference,
  KeyTable,
  type MicroOp,
  type OpTable,
  sameValue,
  show,
  showList,
  showMops,
  txnName,
  txnRef,
} from '../../../src/checker/txn/transactions.js';

/**
 * (key id, value) → id. Workloads write small integers, which stay in typed arrays; any
 * other value goes through a Map by its JSON text.
 */
export class ValueIndex {
  private readonly ints: IntPairMap;
  private readonly other = new Map<string, number>();

  constructor(expected: number, arena: Arena) {
    this.ints = new IntPairMap(expected, arena);
  }

  get(kid: number, v: Json): number {
    if (typeof v === 'number' && (v | 0) === v) return this.ints.get(kid, v);
    return this.other.get(otherKey(kid, v)) ?? -1;
  }

  set(kid: number, v: Json, id: number): void {
    if (typeof v === 'number' && (v | 0) === v) this.ints.set(kid, v, id);
    else this.other.set(otherKey(kid, v), id);
  }
}

function otherKey(kid: number, v: Json): string {
  return `${kid}\u0000${typeof v === 'string' ? 's' + v : exactJsonText(v)}`;
}

const EMPTY: readonly Json[] = [];
const NONE = 0x7fffffff;

/**
 * List-append inference. Every read of a key returns the whole list of appends so far, so
 * the longest read is the key's version order (every other read must be a prefix of it),
 * and committed appends no read saw come after all of it. From that order:
 *  - ww: the writer of each element → the writer of the next;
 *  - wr: the writer of the last element a read saw → the reader;
 *  - rw: a reader → the writer of the first element it did not see.
 * Failed transactions are no nodes. An indeterminate one that no committed read saw may never
 * have happened and has no edges; one whose append a committed read saw did commit, so all its
 * appends count as a committed transaction's (its reads stay unknown).
 *
 * Four phases, each a function over the previous one's tables: collect (elements and reads,
 * per-transaction anomalies), order (each key's version order, ww edges along it), edges
 * (unseen appends, wr/rw edges and per-read anomalies), explain (an edge in words).
 */
export function inferListAppendObjects(table: OpTable, log: AnomalyLog, arena: Arena, edges: EdgeStore): Inference {
  const c = collect(table, log, arena);
  const o = orderVersions(c, log, arena, edges);
  addReadEdges(c, o, log, arena, edges);
  return { edges, keys: c.keys.keys.length, committedInfo: o.committedInfo, explainEdge: (e) => explainEdge(c, o, edges, e) };
}

/** Phase 1: appended elements and committed reads as integer tables. */
class Collected {
  readonly keys = new KeyTable();
  readonly index: ValueIndex;
  // Appended elements (key, value): who appended them, at which micro-op, and whether it
  // was that transaction's last append to the key.
  readonly elemKey: IntList;
  readonly elemTxn: IntList;
  readonly elemMop: IntList;
  readonly elemFinal: IntList;
  // Reads by committed transactions.
  readonly readTxn: IntList;
  readonly readKey: IntList;
  readonly readMop: IntList;
  readonly readValue: (readonly Json[])[] = [];
  /** 1 when the read precedes the transaction's own appends to the key and some follow it. */
  readonly readThenAppend: IntList;
  /** Per key: the read with the longest value, or -1. */
  readonly longest = new IntList();

  constructor(
    readonly table: OpTable,
    arena: Arena,
  ) {
    const { writes, reads } = table;
    this.index = new ValueIndex(writes, arena);
    this.elemKey = new IntList(writes, arena);
    this.elemTxn = new IntList(writes, arena);
    this.elemMop = new IntList(writes, arena);
    this.elemFinal = new IntList(writes, arena);
    this.readTxn = new IntList(reads, arena);
    this.readKey = new IntList(reads, arena);
    this.readMop = new IntList(reads, arena);
    this.readThenAppend = new IntList(reads, arena);
  }

  ref(t: number): TxnRef {
    return txnRef(this.table.ops[t], this.table.mops[t] as unknown as Json);
  }

  name(t: number): string {
    return txnName(this.table.ops[t]);
  }

  /** The value element `e` appended. */
  valueOf(e: number): Json {
    return this.table.mops[this.elemTxn.data[e]][this.elemMop.data[e]][2];
  }
}

function collect(table: OpTable, log: AnomalyLog, arena: Arena): Collected {
  const c = new Collected(table, arena);
  const { ops, mops } = table;
  const { keys, index, elemKey, elemTxn, elemMop, elemFinal, readTxn, readKey, readMop, readValue, readThenAppend, longest } = c;
  for (let t = 0; t < ops.length; t++) {
    const ms = mops[t];
    const ok = ops[t].type === 'ok';
    for (let j = 0; j < ms.length; j++) {
      const [f, k, v] = ms[j];
      const kid = keys.id(k);
      if (f === 'append') {
        // Values are unique per key by the workload's contract; a repeat keeps its first writer.
        if (index.get(kid, v) >= 0) continue;
        const prev = previousAppend(ms, j);
        if (prev >= 0) {
          const pe = index.get(kid, ms[prev][2]);
          if (pe >= 0 && elemTxn.data[pe] === t) elemFinal.data[pe] = 0;
        }
        index.set(kid, v, elemTxn.length);
        elemKey.push(kid);
        elemTxn.push(t);
        elemMop.push(j);
        elemFinal.push(1);
      } else if (ok) {
        const value = v === null ? EMPTY : Array.isArray(v) ? v : undefined;
        if (value === undefined) {
          log.add('garbage-read', () => ({
            txns: [c.ref(t)],
            key: k,
            explanation: `${c.name(t)} read key ${show(k)} = ${show(v)}, which is not a list: nothing appends produce`,
          }));
          continue;
        }
        const r = readTxn.push(t);
        readKey.push(kid);
        readMop.push(j);
        readValue.push(value);
        readThenAppend.push(readsThenAppends(ms, j) ? 1 : 0);
        if (kid >= longest.length) longest.setAt(kid, -1);
        const best = longest.data[kid];
        if (best < 0 || readValue[best].length < value.length) longest.data[kid] = r;
        const expected = internalExpectation(ms, j);
        if (expected !== undefined) {
          log.add('internal', () => ({
            txns: [c.ref(t)],
            key: k,
            explanation:
              `${c.name(t)} read key ${show(k)} = ${showList(value)}, but its own earlier micro-ops imply ${expected}: ` +
              showMops(ms),
          }));
        }
      }
    }
  }
  const nKeys = keys.keys.length;
  if (longest.length < nKeys) longest.setAt(nKeys - 1, -1);
  return c;
}

/** Phase 2: each key's version order, and what it shows. */
interface VersionOrder {
  /** Each key's version order as element ids (-1 where a read shows a value nobody appended). */
  order: Int32Array[];
  /** Element → its position in its key's order, or -1 when no read in order saw it. */
  elemPos: Int32Array;
  /** Per key: the first position of a repeated element, of a failed transaction's element (NONE if none). */
  dupPos: Int32Array;
  failedPos: Int32Array;
  /** Per key: the node and element last in the order (-1 if none). */
  lastNode: Int32Array;
  lastElem: Int32Array;
  /** Reads that are not a prefix of their key's longest read (each an incompatible order). */
  offOrder: Uint8Array;
  committedInfo: Map<number, string>;
}

function orderVersions(c: Collected, log: AnomalyLog, arena: Arena, edges: EdgeStore): VersionOrder {
  const { ops, node } = c.table;
  const { keys, index, readTxn, readKey, readValue, longest } = c;
  // An indeterminate transaction that a committed read saw an append of did commit, and so
  // did all its appends: they oblige later reads as a committed transaction's do. Its own
  // reads stay unknown (an info op records none), so only ok reads are evidence. Every
  // element read is in its key's longest read or in a read that is not a prefix of it, so
  // only those are scanned (below).
  const committedInfo = new Map<number, string>();
  const seenInfo = (w: number, r: number, v: Json): void => {
    if (ops[w].type !== 'info' || committedInfo.has(w)) return;
    const k = keys.keys[readKey.data[r]];
    committedInfo.set(w, `${c.name(w)} (info, committed: its append ${show(v)} to key ${show(k)} was read by ${c.name(readTxn.data[r])})`);
  };

  const nKeys = keys.keys.length;
  const nElems = c.elemTxn.length;
  const eTxn = c.elemTxn.data;
  const elemPos = arena.int32(nElems, -1);
  const order: Int32Array[] = new Array<Int32Array>(nKeys);
  let orderLength = 0;
  for (let kid = 0; kid < nKeys; kid++) if (longest.data[kid] >= 0) orderLength += readValue[longest.data[kid]].length;
  const orderAll = arena.int32(orderLength);
  let orderAt = 0;
  const dupPos = new Int32Array(nKeys).fill(NONE);
  const failedPos = new Int32Array(nKeys).fill(NONE);
  const lastNode = new Int32Array(nKeys).fill(-1);
  const lastElem = new Int32Array(nKeys).fill(-1);

  for (let kid = 0; kid < nKeys; kid++) {
    const r = longest.data[kid];
    const L = r < 0 ? EMPTY : readValue[r];
    const Le = (order[kid] = orderAll.subarray(orderAt, (orderAt += L.length)));
    let prevNode = -1;
    let prevElem = -1;
    let failedFrom = -1;
    for (let i = 0; i < L.length; i++) {
      const e = index.get(kid, L[i]);
      Le[i] = e;
      if (e < 0) {
        const at = i;
        log.add('garbage-read', () => ({
          txns: [c.ref(readTxn.data[r])],
          key: keys.keys[kid],
          explanation: `${c.name(readTxn.data[r])} read key ${show(keys.keys[kid])} = ${showList(L.slice(0, at + 1))}: no transaction appended ${show(L[at])}`,
        }));
        continue;
      }
      if (elemPos[e] >= 0) {
        if (dupPos[kid] > i) dupPos[kid] = i;
        continue;
      }
      elemPos[e] = i;
      const w = eTxn[e];
      seenInfo(w, r, L[i]);
      if (node[w] < 0) {
        if (failedPos[kid] > i) failedPos[kid] = i;
        if (failedFrom < 0) failedFrom = i;
        continue;
      }
      if (failedFrom >= 0) {
        const from = failedFrom;
        const to = i;
        log.add('dirty-update', () => ({
          txns: [c.ref(eTxn[Le[from]]), c.ref(w)],
          key: keys.keys[kid],
          explanation:
            `key ${show(keys.keys[kid])} reads ${showList(L.slice(from, to + 1))}: ${c.name(w)} committed an append on top of ` +
            `${show(L[from])}, appended by ${c.name(eTxn[Le[from]])}, which failed`,
        }));
        failedFrom = -1;
      }
      if (prevNode >= 0 && prevNode !== node[w]) edges.add(prevNode, node[w], WW, prevElem, e);
      prevNode = node[w];
      prevElem = e;
    }
    lastNode[kid] = prevNode;
    lastElem[kid] = prevElem;
  }

  const offOrder = arena.uint8(readTxn.length);
  for (let r = 0; r < readTxn.length; r++) {
    const top = longest.data[readKey.data[r]];
    if (isPrefix(readValue[r], readValue[top])) continue;
    offOrder[r] = 1;
    for (const v of readValue[r]) {
      const e = index.get(readKey.data[r], v);
      if (e >= 0) seenInfo(eTxn[e], r, v);
    }
  }
  return { order, elemPos, dupPos, failedPos, lastNode, lastElem, offOrder, committedInfo };
}

/** Phase 3: ww edges to appends no read saw, then each read's wr and rw edges and anomalies. */
function addReadEdges(c: Collected, o: VersionOrder, log: AnomalyLog, arena: Arena, edges: EdgeStore): void {
  const { ops, mops, node } = c.table;
  const { keys, index, elemKey, elemMop, elemFinal, readTxn, readKey, readMop, readValue, readThenAppend, longest } = c;
  const { order, elemPos, dupPos, failedPos, lastNode, lastElem, offOrder, committedInfo } = o;
  const eTxn = c.elemTxn.data;
  const nKeys = keys.keys.length;
  const committed = (t: number): boolean => ops[t].type === 'ok' || committedInfo.has(t);

  // Committed appends no read saw (including those of indeterminate transactions known to
  // have committed) come after the whole observed order of their key.
  const unseen: number[][] = new Array<number[]>(nKeys);
  for (let e = 0; e < c.elemTxn.length; e++) {
    if (elemPos[e] >= 0 || !committed(eTxn[e])) continue;
    const kid = elemKey.data[e];
    (unseen[kid] ??= []).push(e);
    const from = lastNode[kid];
    const to = node[eTxn[e]];
    if (from >= 0 && from !== to) edges.add(from, to, WW, lastElem[kid], e);
  }

  const abortedRead = (r: number, e: number): void => {
    const t = readTxn.data[r];
    const k = keys.keys[readKey.data[r]];
    log.add('G1a', () => ({
      txns: [c.ref(t), c.ref(eTxn[e])],
      key: k,
      explanation: `${c.name(t)} read key ${show(k)} = ${showList(readValue[r])}, which includes ${show(c.valueOf(e))}, appended by ${c.name(eTxn[e])}, which failed (aborted read)`,
    }));
  };

  /** A read that contradicts the version order still shows whom it read from: a wr edge, and its elements' anomalies. */
  const offOrderRead = (r: number): void => {
    const t = readTxn.data[r];
    const kid = readKey.data[r];
    const V = readValue[r];
    const k = keys.keys[kid];
    let lastOther = -1;
    for (let i = 0; i < V.length; i++) {
      const v = V[i];
      if (V.findIndex((x) => sameValue(x, v)) < i) {
        log.add('duplicate-elements', () => ({
          txns: [c.ref(t)],
          key: k,
          explanation: `${c.name(t)} read key ${show(k)} = ${showList(V)}, in which ${show(v)} appears more than once`,
        }));
      }
      const e = index.get(kid, v);
      if (e < 0) {
        log.add('garbage-read', () => ({
          txns: [c.ref(t)],
          key: k,
          explanation: `${c.name(t)} read key ${show(k)} = ${showList(V)}: no transaction appended ${show(v)}`,
        }));
      } else if (node[eTxn[e]] < 0) abortedRead(r, e);
      else if (eTxn[e] !== t) lastOther = e;
    }
    if (lastOther >= 0) edges.add(node[eTxn[lastOther]], node[t], WR, r, lastOther);
  };

  const incompatibleSeen = new Uint8Array(nKeys);
  /** (key, length of the version read) → the read-modify-write that read it, for lost updates. */
  const rmw = new IntPairMap(1024, arena);
  for (let r = 0; r < readTxn.length; r++) {
    const t = readTxn.data[r];
    const kid = readKey.data[r];
    const V = readValue[r];
    const Le = order[kid];
    const top = longest.data[kid];
    const L = readValue[top];
    const me = node[t];
    const k = keys.keys[kid];
    const who = c.name(t);
    if (offOrder[r] === 1) {
      if (incompatibleSeen[kid] === 0) {
        incompatibleSeen[kid] = 1;
        log.add('incompatible-order', () => ({
          txns: [c.ref(t), c.ref(readTxn.data[top])],
          key: k,
          explanation: `reads of key ${show(k)} disagree on the order of appends: ${showList(V)} (${who}) is not a prefix of ${showList(L)} (${c.name(readTxn.data[top])})`,
        }));
      }
      offOrderRead(r);
      continue;
    }
    if (dupPos[kid] < V.length) {
      log.add('duplicate-elements', () => ({
        txns: [c.ref(t)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${showList(V)}, in which ${show(L[dupPos[kid]])} appears more than once`,
      }));
    }
    if (failedPos[kid] < V.length) abortedRead(r, Le[failedPos[kid]]);
    const last = V.length > 0 ? Le[V.length - 1] : -1;
    if (last >= 0 && eTxn[last] !== t && elemFinal.data[last] === 0) {
      const w = eTxn[last];
      log.add('G1b', () => ({
        txns: [c.ref(t), c.ref(w)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${showList(V)}, ending in ${show(c.valueOf(last))}, an intermediate append of ${c.name(w)}, which appended more to the key afterwards (intermediate read): ${showMops(mops[w])}`,
      }));
    }
    // The external part of the read: without the reader's own appends at its end.
    let n = V.length;
    let future = -1;
    while (n > 0 && Le[n - 1] >= 0 && eTxn[Le[n - 1]] === t) {
      if (elemMop.data[Le[n - 1]] > readMop.data[r]) future = Le[n - 1];
      n--;
    }
    if (future >= 0) {
      log.add('future-read', () => ({
        txns: [c.ref(t)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${showList(V)}, which includes ${show(c.valueOf(future))}, an append it only makes later in the same transaction: ${showMops(mops[t])}`,
      }));
    }
    if (n > 0) {
      const e = Le[n - 1];
      if (e >= 0 && node[eTxn[e]] >= 0) edges.add(node[eTxn[e]], me, WR, r, e);
    }
    let i = n;
    while (i < Le.length && (Le[i] < 0 || node[eTxn[Le[i]]] < 0)) i++;
    if (i < Le.length) {
      const w = eTxn[Le[i]];
      if (w !== t) edges.add(me, node[w], RW, r, Le[i]);
    } else {
      const later = unseen[kid];
      if (later !== undefined) for (const e of later) if (eTxn[e] !== t) edges.add(me, node[eTxn[e]], RW, r, e);
    }
    if (readThenAppend.data[r] === 1) {
      const other = rmw.get(kid, n);
      if (other === -1) rmw.set(kid, n, r);
      else if (other !== NONE && readTxn.data[other] !== t) {
        rmw.set(kid, n, NONE);
        const u = readTxn.data[other];
        log.add('lost-update', () => ({
          txns: [c.ref(u), c.ref(t)],
          key: k,
          explanation: `${c.name(u)} and ${who} both read key ${show(k)} = ${showList(V.slice(0, n))} and then appended to it: one of the updates was lost`,
        }));
      }
    }
  }
}

/** Phase 4: why data edge `e` holds, in words (only for the edges of reported cycles). */
function explainEdge(c: Collected, o: VersionOrder, edges: EdgeStore, e: number): { key: Key; why: string } {
  const { keys, elemKey, readTxn, readKey, readValue } = c;
  const eTxn = c.elemTxn.data;
  const kind = edges.kind[e];
  const a = edges.a[e];
  const b = edges.b[e];
  if (kind === WW) {
    const k = keys.keys[elemKey.data[a]];
    const from = c.name(eTxn[a]);
    const to = c.name(eTxn[b]);
    const how =
      o.elemPos[b] >= 0
        ? `reads of key ${show(k)} show ${show(c.valueOf(b))} right after ${show(c.valueOf(a))}`
        : `no read saw ${show(c.valueOf(b))}, so it follows every element read, the last being ${show(c.valueOf(a))}`;
    return { key: k, why: `${from} appended ${show(c.valueOf(a))} to key ${show(k)} before ${to} appended ${show(c.valueOf(b))} (${how}) ⇒ ${from} ww→ ${to}` };
  }
  const k = keys.keys[readKey.data[a]];
  const reader = c.name(readTxn.data[a]);
  const writer = c.name(eTxn[b]);
  const read = `${reader} read key ${show(k)} = ${showList(readValue[a])}`;
  if (kind === WR) return { key: k, why: `${read}, which includes ${show(c.valueOf(b))} appended by ${writer} ⇒ ${writer} wr→ ${reader}` };
  return { key: k, why: `${writer} appended ${show(c.valueOf(b))} to key ${show(k)} after ${read} without it ⇒ ${reader} rw→ ${writer}` };
}

function isPrefix(V: readonly Json[], L: readonly Json[]): boolean {
  if (V === L) return true;
  if (V.length > L.length) return false;
  for (let i = 0; i < V.length; i++) if (!sameValue(V[i], L[i])) return false;
  return true;
}

function previousAppend(ms: readonly MicroOp[], j: number): number {
  const k = ms[j][1];
  for (let i = j - 1; i >= 0; i--) if (ms[i][0] === 'append' && ms[i][1] === k) return i;
  return -1;
}

/** Whether the read at `j` precedes every own append to its key, and at least one follows. */
function readsThenAppends(ms: readonly MicroOp[], j: number): boolean {
  const k = ms[j][1];
  for (let i = 0; i < j; i++) if (ms[i][0] === 'append' && ms[i][1] === k) return false;
  for (let i = j + 1; i < ms.length; i++) if (ms[i][0] === 'append' && ms[i][1] === k) return true;
  return false;
}

/**
 * A read must agree with the transaction's own earlier micro-ops on its key: an earlier read
 * plus the appends since, or (with no earlier read) end with the appends made so far.
 * Returns what was expected when it does not.
 */
function internalExpectation(ms: readonly MicroOp[], j: number): string | undefined {
  const [, k, v] = ms[j];
  let appended = 0;
  let prior = -1;
  for (let i = j - 1; i >= 0; i--) {
    const m = ms[i];
    if (m[1] !== k) continue;
    if (m[0] === 'append') appended++;
    else {
      prior = i;
      break;
    }
  }
  if (prior < 0 && appended === 0) return undefined;
  const ownAppends: Json[] = [];
  for (let i = prior + 1; i < j; i++) if (ms[i][1] === k && ms[i][0] === 'append') ownAppends.push(ms[i][2]);
  const read = (v ?? []) as Json[];
  const expected = prior < 0 ? ownAppends : [...((ms[prior][2] ?? []) as Json[]), ...ownAppends];
  const offset = prior < 0 ? read.length - expected.length : 0;
  let agree = prior < 0 ? offset >= 0 : read.length === expected.length;
  for (let i = 0; agree && i < expected.length; i++) agree = sameValue(read[offset + i], expected[i]);
  if (agree) return undefined;
  return prior < 0 ? `[… ${expected.map(show).join(' ')}]` : showList(expected);
}
