import { INFO, READ_LIST } from './columns.js';
import { type EdgeStore, WW } from './graph.js';
import type { Arena } from './int-tables.js';
import type { Collected } from './list-append-collect.js';
import { type AnomalyLog, show, showList } from './transactions.js';

export const NONE = 0x7fffffff;

/** Phase 2 of list-append inference: each key's version order, and what it shows. */
export interface VersionOrder {
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

export function orderVersions(c: Collected, log: AnomalyLog, arena: Arena, edges: EdgeStore): VersionOrder {
  const { node, cols } = c.table;
  const { index, readTxn, longest } = c;
  // An indeterminate transaction that a committed read saw an append of did commit, and so
  // did all its appends: they oblige later reads as a committed transaction's do. Its own
  // reads stay unknown (an info op records none), so only ok reads are evidence. Every
  // element read is in its key's longest read or in a read that is not a prefix of it, so
  // only those are scanned (below).
  const committedInfo = new Map<number, string>();
  const seenInfo = (w: number, r: number, code: number): void => {
    if (cols.type[w] !== INFO || committedInfo.has(w)) return;
    const k = c.key(c.readKey(r));
    committedInfo.set(w, `${c.name(w)} (info, committed: its append ${c.showCode(code)} to key ${show(k)} was read by ${c.name(readTxn.data[r]!)})`);
  };

  const nKeys = c.keyCount;
  const nElems = c.elemTxn.length;
  const eTxn = c.elemTxn.data;
  const elemPos = arena.int32(nElems, -1);
  const order: Int32Array[] = new Array<Int32Array>(nKeys);
  let orderLength = 0;
  for (let kid = 0; kid < nKeys; kid++) if (longest.data[kid]! >= 0) orderLength += c.readLen(longest.data[kid]!);
  const orderAll = arena.int32(orderLength);
  let orderAt = 0;
  const dupPos = new Int32Array(nKeys).fill(NONE);
  const failedPos = new Int32Array(nKeys).fill(NONE);
  const lastNode = new Int32Array(nKeys).fill(-1);
  const lastElem = new Int32Array(nKeys).fill(-1);
  const none = new Int32Array(0);

  for (let kid = 0; kid < nKeys; kid++) {
    const r = longest.data[kid]!;
    const L = r < 0 ? none : c.codes(r);
    const Le = (order[kid] = orderAll.subarray(orderAt, (orderAt += L.length)));
    let prevNode = -1;
    let prevElem = -1;
    let failedFrom = -1;
    for (let i = 0; i < L.length; i++) {
      const e = index.get(kid, L[i]!);
      Le[i] = e;
      if (e < 0) {
        const at = i;
        log.add('garbage-read', () => ({
          txns: [c.ref(readTxn.data[r]!)],
          key: c.key(kid),
          explanation: `${c.name(readTxn.data[r]!)} read key ${show(c.key(kid))} = ${showList(c.json(L.subarray(0, at + 1)))}: no transaction appended ${c.showCode(L[at]!)}`,
        }));
        continue;
      }
      if (elemPos[e]! >= 0) {
        if (dupPos[kid]! > i) dupPos[kid] = i;
        continue;
      }
      elemPos[e] = i;
      const w = eTxn[e]!;
      seenInfo(w, r, L[i]!);
      if (node[w]! < 0) {
        if (failedPos[kid]! > i) failedPos[kid] = i;
        if (failedFrom < 0) failedFrom = i;
        continue;
      }
      if (failedFrom >= 0) {
        const from = failedFrom;
        const to = i;
        log.add('dirty-update', () => ({
          txns: [c.ref(eTxn[Le[from]!]!), c.ref(w)],
          key: c.key(kid),
          explanation:
            `key ${show(c.key(kid))} reads ${showList(c.json(L.subarray(from, to + 1)))}: ${c.name(w)} committed an append on top of ` +
            `${c.showCode(L[from]!)}, appended by ${c.name(eTxn[Le[from]!]!)}, which failed`,
        }));
        failedFrom = -1;
      }
      if (prevNode >= 0 && prevNode !== node[w]) edges.add(prevNode, node[w]!, WW, prevElem, e);
      prevNode = node[w]!;
      prevElem = e;
    }
    lastNode[kid] = prevNode;
    lastElem[kid] = prevElem;
  }

  const offOrder = arena.uint8(readTxn.length);
  const { mopKey, mopF } = cols;
  const readMops = c.readMop.data;
  for (let r = 0; r < readTxn.length; r++) {
    const m = readMops[r]!;
    const kid = mopKey[m]!;
    const top = longest.data[kid]!;
    // A nil read or a prefix of the canonical list (a handle ≥ 0, the common case) is a prefix
    // of the longest read whenever that one is a canonical prefix too.
    if (mopF[m] !== READ_LIST || cols.mopVal[m]! >= 0 ? c.readHandle(top) >= 0 && c.readLen(r) <= c.readLen(top) : false) continue;
    if (c.isPrefix(r, top)) continue;
    offOrder[r] = 1;
    for (const v of c.codes(r)) {
      const e = index.get(kid, v);
      if (e >= 0) seenInfo(eTxn[e]!, r, v);
    }
  }
  return { order, elemPos, dupPos, failedPos, lastNode, lastElem, offOrder, committedInfo };
}
