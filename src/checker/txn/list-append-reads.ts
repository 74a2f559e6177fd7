import { OK, READ_LIST } from './columns.js';
import { type EdgeStore, RW, WR, WW } from './graph.js';
import { type Arena, IntPairMap } from './int-tables.js';
import type { Collected } from './list-append-collect.js';
import { NONE, type VersionOrder } from './list-append-order.js';
import { type AnomalyLog, show, showList } from './transactions.js';

/** Per key: the committed appends no read saw, in element order (undefined: none). */
export type Unseen = (number[] | undefined)[];

/**
 * Phase 3 of list-append inference: ww edges to appends no read saw, then each read's wr and
 * rw edges and anomalies. Returns the unseen appends (an explanation needs them again).
 */
export function addReadEdges(c: Collected, o: VersionOrder, log: AnomalyLog, arena: Arena, edges: EdgeStore): Unseen {
  const { node, cols } = c.table;
  const { index, elemFinal, elemMop, readTxn, readMop, readThenAppend, longest } = c;
  const { order, elemPos, dupPos, failedPos, lastNode, lastElem, offOrder, committedInfo } = o;
  const eTxn = c.elemTxn.data;
  const nKeys = c.keyCount;
  const committed = (t: number): boolean => cols.type[t] === OK || committedInfo.has(t);

  // Committed appends no read saw (including those of indeterminate transactions known to
  // have committed) come after the whole observed order of their key.
  const unseen: Unseen = new Array<number[] | undefined>(nKeys);
  for (let e = 0; e < c.elemTxn.length; e++) {
    if (elemPos[e] >= 0 || !committed(eTxn[e])) continue;
    const kid = c.elemKey(e);
    (unseen[kid] ??= []).push(e);
    const from = lastNode[kid];
    const to = node[eTxn[e]];
    if (from >= 0 && from !== to) edges.add(from, to, WW, lastElem[kid], e);
  }

  const abortedRead = (r: number, e: number): void => {
    const t = readTxn.data[r];
    const k = c.key(c.readKey(r));
    log.add('G1a', () => ({
      txns: [c.ref(t), c.ref(eTxn[e])],
      key: k,
      explanation: `${c.name(t)} read key ${show(k)} = ${showList(c.json(c.codes(r)))}, which includes ${c.valueOf(e)}, appended by ${c.name(eTxn[e])}, which failed (aborted read)`,
    }));
  };

  /** A read that contradicts the version order still shows whom it read from: a wr edge, and its elements' anomalies. */
  const offOrderRead = (r: number): void => {
    const t = readTxn.data[r];
    const kid = c.readKey(r);
    const V = c.codes(r);
    const k = c.key(kid);
    for (let i = 0; i < V.length; i++) {
      const v = V[i];
      if (V.indexOf(v) < i) {
        log.add('duplicate-elements', () => ({
          txns: [c.ref(t)],
          key: k,
          explanation: `${c.name(t)} read key ${show(k)} = ${showList(c.json(V))}, in which ${c.showCode(v)} appears more than once`,
        }));
      }
      const e = index.get(kid, v);
      if (e < 0) {
        log.add('garbage-read', () => ({
          txns: [c.ref(t)],
          key: k,
          explanation: `${c.name(t)} read key ${show(k)} = ${showList(c.json(V))}: no transaction appended ${c.showCode(v)}`,
        }));
      } else if (node[eTxn[e]] < 0) abortedRead(r, e);
    }
    const lastOther = lastOtherElement(c, r);
    if (lastOther >= 0) edges.add(node[eTxn[lastOther]], node[t], WR, r, lastOther);
  };

  const incompatibleSeen = new Uint8Array(nKeys);
  /** (key, length of the version read) → the read-modify-write that read it, for lost updates. */
  const rmw = new IntPairMap(1024, arena);
  const { mopKey, mopF, mopVal, lists } = cols;
  const readMops = readMop.data;
  for (let r = 0; r < readTxn.length; r++) {
    const t = readTxn.data[r];
    // Per read only integers: the read's codes (a view object) and names are made only for
    // an anomaly's explanation (20M reads at 10M transactions).
    const rm = readMops[r];
    const kid = mopKey[rm];
    const handle = mopF[rm] === READ_LIST ? mopVal[rm] : 0;
    const nRead = handle >= 0 ? handle : lists.length(kid, handle);
    const Le = order[kid]!;
    const top = longest.data[kid]!;
    const me = node[t]!;
    const k = c.key(kid);
    if (offOrder[r] === 1) {
      const V = c.codes(r);
      const who = c.name(t);
      if (incompatibleSeen[kid] === 0) {
        incompatibleSeen[kid] = 1;
        log.add('incompatible-order', () => ({
          txns: [c.ref(t), c.ref(readTxn.data[top])],
          key: k,
          explanation: `reads of key ${show(k)} disagree on the order of appends: ${showList(c.json(V))} (${who}) is not a prefix of ${showList(c.json(c.codes(top)))} (${c.name(readTxn.data[top]!)})`,
        }));
      }
      offOrderRead(r);
      continue;
    }
    if (dupPos[kid] < nRead) {
      log.add('duplicate-elements', () => ({
        txns: [c.ref(t)],
        key: k,
        explanation: `${c.name(t)} read key ${show(k)} = ${showList(c.json(c.codes(r)))}, in which ${c.showCode(c.codes(top)[dupPos[kid]!]!)} appears more than once`,
      }));
    }
    if (failedPos[kid] < nRead) abortedRead(r, Le[failedPos[kid]]);
    const last = nRead > 0 ? Le[nRead - 1] : -1;
    if (last >= 0 && eTxn[last] !== t && elemFinal[last] === 0) {
      const w = eTxn[last];
      log.add('G1b', () => ({
        txns: [c.ref(t), c.ref(w)],
        key: k,
        explanation: `${c.name(t)} read key ${show(k)} = ${showList(c.json(c.codes(r)))}, ending in ${c.valueOf(last)}, an intermediate append of ${c.name(w)}, which appended more to the key afterwards (intermediate read): ${c.showMops(w)}`,
      }));
    }
    const n = externalLength(c, Le, t, nRead);
    let future = -1;
    for (let j = nRead - 1; j >= n; j--) if (elemMop.data[Le[j]] > rm) future = Le[j];
    if (future >= 0) {
      log.add('future-read', () => ({
        txns: [c.ref(t)],
        key: k,
        explanation: `${c.name(t)} read key ${show(k)} = ${showList(c.json(c.codes(r)))}, which includes ${c.valueOf(future)}, an append it only makes later in the same transaction: ${c.showMops(t)}`,
      }));
    }
    if (n > 0) {
      const e = Le[n - 1];
      if (e >= 0 && node[eTxn[e]] >= 0) edges.add(node[eTxn[e]], me, WR, r, e);
    }
    const i = firstUnread(c, Le, n);
    if (i < Le.length) {
      const w = eTxn[Le[i]];
      if (w !== t) edges.add(me, node[w], RW, r, Le[i]);
    } else {
      const later = unseen[kid];
      if (later !== undefined) for (const e of later) if (eTxn[e] !== t) edges.add(me, node[eTxn[e]], RW, r, e);
    }
    if (readThenAppend[r] === 1) {
      const other = rmw.get(kid, n);
      if (other === -1) rmw.set(kid, n, r);
      else if (other !== NONE && readTxn.data[other] !== t) {
        rmw.set(kid, n, NONE);
        const u = readTxn.data[other];
        log.add('lost-update', () => ({
          txns: [c.ref(u), c.ref(t)],
          key: k,
          explanation: `${c.name(u)} and ${c.name(t)} both read key ${show(k)} = ${showList(c.json(c.codes(r).subarray(0, n)))} and then appended to it: one of the updates was lost`,
        }));
      }
    }
  }
  return unseen;
}

/** The read's length (a handle ≥ 0 is the length of a prefix of the key's canonical list). */
export function readLength(c: Collected, r: number): number {
  const { mopF, mopKey, mopVal, lists } = c.table.cols;
  const m = c.readMop.data[r]!;
  const handle = mopF[m] === READ_LIST ? mopVal[m]! : 0;
  return handle >= 0 ? handle : lists.length(mopKey[m]!, handle);
}

/** The external part of a read of `nRead` elements of the order `Le` by `t`: without t's own appends at its end. */
export function externalLength(c: Collected, Le: Int32Array, t: number, nRead: number): number {
  const eTxn = c.elemTxn.data;
  let n = nRead;
  while (n > 0 && Le[n - 1]! >= 0 && eTxn[Le[n - 1]!] === t) n--;
  return n;
}

/** The first position from `n` on of a committed transaction's element (`Le.length` if none): what a read of `n` elements missed first. */
export function firstUnread(c: Collected, Le: Int32Array, n: number): number {
  const { node } = c.table;
  const eTxn = c.elemTxn.data;
  let i = n;
  while (i < Le.length && (Le[i]! < 0 || node[eTxn[Le[i]!]!]! < 0)) i++;
  return i;
}

/** For a read off the version order: the last element it saw that another committed transaction appended, or -1. */
export function lastOtherElement(c: Collected, r: number): number {
  const { node } = c.table;
  const eTxn = c.elemTxn.data;
  const t = c.readTxn.data[r]!;
  const kid = c.readKey(r);
  let last = -1;
  for (const v of c.codes(r)) {
    const e = c.index.get(kid, v);
    if (e >= 0 && node[eTxn[e]!]! >= 0 && eTxn[e] !== t) last = e;
  }
  return last;
}
