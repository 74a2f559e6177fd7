import type { Key } from '../../history/event.js';
import { OK } from './columns.js';
import { type EdgeStore, RW, WR, WW } from './graph.js';
import { type Arena, IntPairMap } from './int-tables.js';
import type { Collected } from './list-append-collect.js';
import { NONE, type VersionOrder } from './list-append-order.js';
import { type AnomalyLog, show, showList } from './transactions.js';

/**
 * Phase 3 of list-append inference: ww edges to appends no read saw, then each read's wr and rw
 * edges and anomalies. Answers the unread appends per key (committed ones), for the snapshot
 * search's constraints.
 */
export function addReadEdges(c: Collected, o: VersionOrder, log: AnomalyLog, arena: Arena, edges: EdgeStore): number[][] {
  const { node, cols } = c.table;
  const { index, elemMop, elemFinal, readTxn, readMop, readThenAppend, longest } = c;
  const { order, elemPos, dupPos, failedPos, lastNode, lastElem, offOrder, committedInfo } = o;
  const eTxn = c.elemTxn.data;
  const nKeys = c.keyCount;
  const committed = (t: number): boolean => cols.type[t] === OK || committedInfo.has(t);

  // Committed appends no read saw (including those of indeterminate transactions known to
  // have committed) come after the whole observed order of their key.
  const unseen: number[][] = new Array<number[]>(nKeys);
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
    let lastOther = -1;
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
      else if (eTxn[e] !== t) lastOther = e;
    }
    if (lastOther >= 0) edges.add(node[eTxn[lastOther]], node[t], WR, r, lastOther);
  };

  const incompatibleSeen = new Uint8Array(nKeys);
  /** (key, length of the version read) → the read-modify-write that read it, for lost updates. */
  const rmw = new IntPairMap(1024, arena);
  for (let r = 0; r < readTxn.length; r++) {
    const t = readTxn.data[r];
    const kid = c.readKey(r);
    const V = c.codes(r);
    const Le = order[kid]!;
    const top = longest.data[kid]!;
    const me = node[t]!;
    const k = c.key(kid);
    const who = c.name(t);
    if (offOrder[r] === 1) {
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
    if (dupPos[kid] < V.length) {
      log.add('duplicate-elements', () => ({
        txns: [c.ref(t)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${showList(c.json(V))}, in which ${c.showCode(c.codes(top)[dupPos[kid]!]!)} appears more than once`,
      }));
    }
    if (failedPos[kid] < V.length) abortedRead(r, Le[failedPos[kid]]);
    const last = V.length > 0 ? Le[V.length - 1] : -1;
    if (last >= 0 && eTxn[last] !== t && elemFinal[last] === 0) {
      const w = eTxn[last];
      log.add('G1b', () => ({
        txns: [c.ref(t), c.ref(w)],
        key: k,
        explanation: `${who} read key ${show(k)} = ${showList(c.json(V))}, ending in ${c.valueOf(last)}, an intermediate append of ${c.name(w)}, which appended more to the key afterwards (intermediate read): ${c.showMops(w)}`,
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
        explanation: `${who} read key ${show(k)} = ${showList(c.json(V))}, which includes ${c.valueOf(future)}, an append it only makes later in the same transaction: ${c.showMops(t)}`,
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
    if (readThenAppend[r] === 1) {
      const other = rmw.get(kid, n);
      if (other === -1) rmw.set(kid, n, r);
      else if (other !== NONE && readTxn.data[other] !== t) {
        rmw.set(kid, n, NONE);
        const u = readTxn.data[other];
        log.add('lost-update', () => ({
          txns: [c.ref(u), c.ref(t)],
          key: k,
          explanation: `${c.name(u)} and ${who} both read key ${show(k)} = ${showList(c.json(V.subarray(0, n)))} and then appended to it: one of the updates was lost`,
        }));
      }
    }
  }
  return unseen;
}

/** Phase 4 of list-append inference: why data edge `e` holds, in words (only for the edges of reported cycles). */
export function explainEdge(c: Collected, o: VersionOrder, edges: EdgeStore, e: number): { key: Key; why: string } {
  const { readTxn } = c;
  const eTxn = c.elemTxn.data;
  const kind = edges.kind[e];
  const a = edges.a[e];
  const b = edges.b[e];
  if (kind === WW) {
    const k = c.key(c.elemKey(a));
    const from = c.name(eTxn[a]);
    const to = c.name(eTxn[b]);
    const how =
      o.elemPos[b] >= 0
        ? `reads of key ${show(k)} show ${c.valueOf(b)} right after ${c.valueOf(a)}`
        : `no read saw ${c.valueOf(b)}, so it follows every element read, the last being ${c.valueOf(a)}`;
    return { key: k, why: `${from} appended ${c.valueOf(a)} to key ${show(k)} before ${to} appended ${c.valueOf(b)} (${how}) ⇒ ${from} ww→ ${to}` };
  }
  const k = c.key(c.readKey(a));
  const reader = c.name(readTxn.data[a]);
  const writer = c.name(eTxn[b]);
  const read = `${reader} read key ${show(k)} = ${showList(c.json(c.codes(a)))}`;
  if (kind === WR) return { key: k, why: `${read}, which includes ${c.valueOf(b)} appended by ${writer} ⇒ ${writer} wr→ ${reader}` };
  return { key: k, why: `${writer} appended ${c.valueOf(b)} to key ${show(k)} after ${read} without it ⇒ ${reader} rw→ ${writer}` };
}
