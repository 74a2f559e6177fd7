import type { Key } from '../../history/event.js';
import { OK } from './columns.js';
import { type EdgeStore, RW, WR, WW } from './graph.js';
import type { IntList } from './int-tables.js';
import type { Collected } from './list-append-collect.js';
import type { VersionOrder } from './list-append-order.js';
import { externalLength, firstUnread, lastOtherElement, readLength, type Unseen } from './list-append-reads.js';
import { show, showList } from './transactions.js';

/**
 * Phase 4 of list-append inference: why data edge `e` holds, in words (only for the edges of
 * reported cycles). The edge store keeps no reasons (a lean store: two columns of 4 bytes per
 * edge, 600 MB at 10M transactions, for the dozens of edges ever explained), so the reason
 * is worked out again: the inference's candidates for an edge of that kind between those two
 * transactions, in the order the inference added them, and the one with the edge's rank
 * among its parallel edges (EdgeStore.rank) is the one it added as `e`.
 */
export function explainEdge(c: Collected, o: VersionOrder, unseen: Unseen, edges: EdgeStore, e: number): { key: Key; why: string } {
  const { readTxn } = c;
  const eTxn = c.elemTxn.data;
  const kind = edges.kind[e];
  const [a, b] = reasonOf(c, o, unseen, edges, e);
  if (kind === WW) {
    const k = c.key(c.elemKey(a));
    const from = c.name(eTxn[a]!);
    const to = c.name(eTxn[b]!);
    const how =
      o.elemPos[b]! >= 0
        ? `reads of key ${show(k)} show ${c.valueOf(b)} right after ${c.valueOf(a)}`
        : `no read saw ${c.valueOf(b)}, so it follows every element read, the last being ${c.valueOf(a)}`;
    return { key: k, why: `${from} appended ${c.valueOf(a)} to key ${show(k)} before ${to} appended ${c.valueOf(b)} (${how}) ⇒ ${from} ww→ ${to}` };
  }
  const k = c.key(c.readKey(a));
  const reader = c.name(readTxn.data[a]!);
  const writer = c.name(eTxn[b]!);
  const read = `${reader} read key ${show(k)} = ${showList(c.json(c.codes(a)))}`;
  if (kind === WR) return { key: k, why: `${read}, which includes ${c.valueOf(b)} appended by ${writer} ⇒ ${writer} wr→ ${reader}` };
  return { key: k, why: `${writer} appended ${c.valueOf(b)} to key ${show(k)} after ${read} without it ⇒ ${reader} rw→ ${writer}` };
}

/**
 * The two integers the inference would have stored with data edge `e`: ww (element, next
 * element); wr and rw (read, element). Each enumeration below mirrors where
 * list-append-order.ts and list-append-reads.ts add that kind of edge, in the same order.
 */
export function reasonOf(c: Collected, o: VersionOrder, unseen: Unseen, edges: EdgeStore, e: number): [number, number] {
  const { node, txnOfNode } = c.table;
  const from = edges.src[e]!;
  const to = edges.dst[e]!;
  const kind = edges.kind[e]!;
  const rank = edges.rank(e);
  const found: [number, number][] = [];
  if (kind === WW) wwCandidates(c, o, txnOfNode[from]!, txnOfNode[to]!, found);
  else if (kind === WR) {
    const [lo, hi] = rangeOf(c.readTxn, txnOfNode[to]!);
    for (let r = lo; r < hi; r++) {
      const w = wrSource(c, o, r);
      if (w >= 0 && node[c.elemTxn.data[w]!] === from) found.push([r, w]);
    }
  } else if (kind === RW) {
    const [lo, hi] = rangeOf(c.readTxn, txnOfNode[from]!);
    for (let r = lo; r < hi && found.length <= rank; r++) rwTargets(c, o, unseen, r, to, found);
  }
  const reason = found[rank];
  if (reason === undefined) throw new Error(`list-append: no reason found for edge ${e} (${from}→${to}, kind ${kind}, rank ${rank})`);
  return reason;
}

/** ww edges from transaction u to v: along a key's order (by key, then position), then to v's appends no read saw (by element). */
function wwCandidates(c: Collected, o: VersionOrder, u: number, v: number, found: [number, number][]): void {
  const { node, cols } = c.table;
  const eTxn = c.elemTxn.data;
  const { elemPos, order, lastNode, lastElem, committedInfo } = o;
  const [lo, hi] = rangeOf(c.elemTxn, v);
  const along: [number, number, number, number][] = [];
  for (let b = lo; b < hi; b++) {
    const i = elemPos[b]!;
    if (i < 0) continue;
    const kid = c.elemKey(b);
    const Le = order[kid]!;
    // The element before it in the order, skipping what orderVersions skips: values nobody
    // appended, repeats of an element, failed transactions' elements.
    let j = i - 1;
    while (j >= 0 && (Le[j]! < 0 || elemPos[Le[j]!] !== j || node[eTxn[Le[j]!]!]! < 0)) j--;
    if (j >= 0 && eTxn[Le[j]!] === u && u !== v) along.push([kid, i, Le[j]!, b]);
  }
  along.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [, , a, b] of along) found.push([a, b]);
  if (cols.type[v] !== OK && !committedInfo.has(v)) return;
  for (let b = lo; b < hi; b++) {
    if (elemPos[b]! >= 0) continue;
    const kid = c.elemKey(b);
    if (lastNode[kid] === node[u] && u !== v) found.push([lastElem[kid]!, b]);
  }
}

/** The element read `r` read from (its wr edge's source), or -1. */
function wrSource(c: Collected, o: VersionOrder, r: number): number {
  if (o.offOrder[r] === 1) return lastOtherElement(c, r);
  const { node } = c.table;
  const eTxn = c.elemTxn.data;
  const Le = o.order[c.readKey(r)]!;
  const n = externalLength(c, Le, c.readTxn.data[r]!, readLength(c, r));
  const w = n > 0 ? Le[n - 1]! : -1;
  return w >= 0 && node[eTxn[w]!]! >= 0 ? w : -1;
}

/** Read `r`'s rw edges to node `to`: the first committed element it missed, or else every unseen append. */
function rwTargets(c: Collected, o: VersionOrder, unseen: Unseen, r: number, to: number, found: [number, number][]): void {
  if (o.offOrder[r] === 1) return;
  const { node } = c.table;
  const eTxn = c.elemTxn.data;
  const t = c.readTxn.data[r]!;
  const kid = c.readKey(r);
  const Le = o.order[kid]!;
  const i = firstUnread(c, Le, externalLength(c, Le, t, readLength(c, r)));
  if (i < Le.length) {
    const w = eTxn[Le[i]!]!;
    if (w !== t && node[w] === to) found.push([r, Le[i]!]);
    return;
  }
  for (const e of unseen[kid] ?? []) if (eTxn[e] !== t && node[eTxn[e]!] === to) found.push([r, e]);
}

/** The ids [lo, hi) of a list sorted by transaction (elements and reads are pushed in transaction order) that belong to `t`. */
function rangeOf(list: IntList, t: number): [number, number] {
  const lower = (x: number): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list.data[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [lower(t), lower(t + 1)];
}
