import type { Json } from '../../../history/event.js';
import type { Model, ModelOp } from '../model.js';
import { exactJsonText } from '../../../history/exact-json.js';

/**
 * Written keys (sorted) with their values and a polynomial hash of each value; every
 * other key holds `initial`. Values grow by appends, so the search's states are long
 * strings: the hash is updated per step in time proportional to the appended text, and
 * values are only ever compared in full when a get reads them or hashes collide.
 */
interface Store {
  readonly initial: string;
  readonly keys: readonly string[];
  readonly values: readonly string[];
  readonly hashes: readonly number[];
  readonly hash: number;
}

const BASE = 0x01000193;

/**
 * A string key-value store: get (returns the value), put v, append s (string
 * concatenation). Every key starts as `--init` (default ""). Operations carry `key`, so
 * the checker splits the history per key.
 */
export const kv: Model<Store> = {
  name: 'kv',
  summary: 'a key-value store of strings, per key: get, put v, append s',
  functions: ['get', 'put', 'append'],
  init: (initial) => {
    const text = typeof initial === 'string' ? initial : initial == null ? '' : exactJsonText(initial);
    return { initial: text, keys: [], values: [], hashes: [], hash: textHash(0, text) };
  },
  step(store, op) {
    const key = String(op.key);
    let i = 0;
    while (i < store.keys.length && store.keys[i]! < key) i++;
    const found = store.keys[i] === key;
    const current = found ? store.values[i]! : store.initial;
    if (op.f === 'get') return !op.known || (op.output ?? '') === current ? store : undefined;
    const input = String(op.input);
    const before = found ? store.hashes[i]! : textHash(0, store.initial);
    // No tuple or spread here: this runs once per new transition, and a per-key
    // partition's whole check is a few hundred of them (they were its largest garbage).
    const put = op.f === 'put';
    const keys = found ? store.keys : insertAt(store.keys, i, key);
    const values = found ? store.values.slice() : insertAt(store.values, i, '');
    const hashes = found ? store.hashes.slice() : insertAt(store.hashes, i, 0);
    values[i] = put ? input : current + input;
    hashes[i] = textHash(put ? 0 : before, input);
    return { initial: store.initial, keys, values, hashes, hash: combine(store.initial, keys, hashes) };
  },
  validate(op: ModelOp) {
    if (op.key === undefined) return 'a kv operation needs a "key"';
    if (op.f !== 'get' && typeof op.input !== 'string' && typeof op.input !== 'number') return `${op.f} needs a string value`;
    if (op.f === 'get' && op.known && op.output !== null && typeof op.output !== 'string') return 'a get must return a string (or null)';
    return undefined;
  },
  viability(ops) {
    // Per known get, computed when first needed: the hash of every prefix of the value it
    // read, and the puts that could reset the key to a prefix of that value (only those
    // can undo a wrong value) — found through the puts' hashes, not a scan of every put.
    const putsByHash = new Map<number, number[]>();
    ops.forEach((o, j) => {
      if (o.f !== 'put') return;
      const h = textHash(0, String(o.input));
      const list = putsByHash.get(h);
      if (list === undefined) putsByHash.set(h, [j]);
      else list.push(j);
    });
    const prefixes: (Int32Array | undefined)[] = [];
    const resets: number[][] = [];
    const prepare = (i: number): void => {
      const read = String(ops[i]!.output ?? '');
      const prefix = prefixHashes(read);
      prefixes[i] = prefix;
      resets[i] = [];
      for (let length = 0; length <= read.length; length++) {
        for (const j of putsByHash.get(prefix[length]!) ?? []) {
          const put = String(ops[j]!.input);
          if (ops[j]!.key === ops[i]!.key && put.length === length && read.startsWith(put)) resets[i]!.push(j);
        }
      }
    };
    return {
      satisfiable(store, i, isLinearized) {
        const op = ops[i]!;
        if (op.f !== 'get' || !op.known) return true;
        if (prefixes[i] === undefined) prepare(i);
        const prefix = prefixes[i]!;
        const k = store.keys.indexOf(String(op.key));
        const length = k < 0 ? store.initial.length : store.values[k]!.length;
        const hash = k < 0 ? textHash(0, store.initial) : store.hashes[k]!;
        // Equal hashes might be a collision: that only keeps a branch, never drops one wrongly.
        if (length < prefix.length && prefix[length] === hash) return true;
        return resets[i]!.some((j) => !isLinearized(j));
      },
    };
  },
  readOnly: (op) => op.f === 'get',
  // Inexact traces (hashes; no `holds`): only unseen info puts are dropped. A put of s is
  // seen by a get of any value that starts with s (appends extend it), so a get reads
  // every prefix of its value; an append's effect is not one value: untraced.
  traces(op) {
    const seed = textHash(0, `${String(op.key)}\u0000`);
    if (op.f === 'put') return { writes: [textHash(seed, String(op.input))], reads: [] };
    if (op.f !== 'get') return undefined;
    if (!op.known) return { writes: [], reads: [] };
    const read = String(op.output ?? '');
    const reads = [seed];
    let h = seed;
    for (let i = 0; i < read.length; i++) reads.push((h = (Math.imul(h, BASE) + read.charCodeAt(i)) | 0));
    return { writes: [], reads };
  },
  key: (store) => exactJsonText([store.initial, store.keys, store.values]),
  hash: (store) => store.hash,
  equals: (a, b) =>
    a.initial === b.initial &&
    a.keys.length === b.keys.length &&
    a.keys.every((k, i) => k === b.keys[i] && a.values[i] === b.values[i]),
  show: (store) => Object.fromEntries(store.keys.map((k, i) => [k, store.values[i]!])) as Json,
};

/** A copy of `items` with `item` inserted at `i`. */
function insertAt<T>(items: readonly T[], i: number, item: T): T[] {
  const out = items.slice(0, i);
  out.push(item);
  for (let k = i; k < items.length; k++) out.push(items[k]!);
  return out;
}

/** Extends the polynomial hash `h` of some text by `text`. */
function textHash(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

function prefixHashes(text: string): Int32Array {
  const out = new Int32Array(text.length + 1);
  let h = 0;
  for (let i = 0; i < text.length; i++) out[i + 1] = h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return out;
}

function combine(initial: string, keys: readonly string[], hashes: readonly number[]): number {
  let h = textHash(0, initial);
  for (let i = 0; i < keys.length; i++) h = Math.imul(textHash(h, keys[i]!) ^ hashes[i]!, 0x9e3779b1);
  return h;
}
