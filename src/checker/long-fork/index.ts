import { InputError } from '../../errors.js';
import type { Json, Key } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import { type MicroOp, KeyTable, show, tableOf, txnName, txnRef, valueKey } from '../txn/transactions.js';
import type { TxnRef } from '../txn/types.js';
import type { Verdict } from '../verdict.js';

/**
 * Jepsen's long-fork check, for rw-register and list-append histories: two committed
 * read-only transactions that read keys x and y, one seeing more of x and less of y than the
 * other, saw the writes to x and y in opposite orders. Snapshot isolation and everything
 * stronger forbid that (parallel snapshot isolation allows it). Keys only grow — a register
 * goes from nil to a value and is never deleted, a list only gets appends — so "more" is
 * well defined: nil < any value; a list < a longer list it is a prefix of.
 */

/** Two reads that saw the writes of two keys in opposite orders. */
export interface LongFork {
  /** The first saw more of `keys[0]`, the second more of `keys[1]`. */
  reads: [TxnRef, TxnRef];
  keys: [Key, Key];
  explanation: string;
}

export interface LongForkResult {
  verdict: Verdict;
  /** The first fork in one sentence, or why there is none. */
  explanation: string;
  workload: 'rw-register' | 'list-append';
  /** Committed read-only transactions compared. */
  reads: number;
  keys: number;
  /**
   * Key pairs found forked (one fork is explained per pair). The verdict is exact; this count
   * is a lower bound: within a group of reads of the same keys only neighbours are compared.
   */
  forks: number;
  anomalies: LongFork[];
  /** Keys left out because their reads cannot be ordered (two distinct register values, lists neither a prefix of the other). */
  unorderedKeys: Key[];
  reason?: string;
}

export interface LongForkOptions {
  file?: string;
  /** Forks explained (all are counted). Default 8. */
  maxReported?: number;
}

const MAX_UNORDERED_LISTED = 8;

export function checkLongFork(ops: readonly Operation[], options: LongForkOptions = {}): LongForkResult {
  const file = options.file ?? 'history';
  const table = tableOf(ops, new Set(['r', 'w', 'append']), file);
  const { mops } = table;
  const workload = workloadOf(table.ops, mops, file);
  const keys = new KeyTable();
  // Who wrote (or appended) a value, for the few explanations: a scan, not an index of every write.
  const writerOf = (k: Key, v: Json): number | undefined => {
    const vk = valueKey(v);
    for (let t = 0; t < mops.length; t++) for (const [f, kk, vv] of mops[t]!) if (f !== 'r' && kk === k && valueKey(vv) === vk) return t;
    return undefined;
  };

  // Committed read-only transactions of two keys or more: each key's first read, as flat
  // entries (read, key, value, level); read r's entries are entryOf[r] .. entryOf[r + 1].
  const readTxns: number[] = [];
  const entryOf: number[] = [0];
  const entryKid: number[] = [];
  const entryValue: Json[] = [];
  for (let t = 0; t < mops.length; t++) {
    const ms = mops[t]!;
    if (table.ops[t]!.type !== 'ok' || ms.length < 2 || ms.some((m) => m[0] !== 'r')) continue;
    const from = entryKid.length;
    for (const [, k, v] of ms) {
      const kid = keys.id(k);
      let again = false;
      for (let i = from; i < entryKid.length && !again; i++) again = entryKid[i] === kid;
      if (again) continue;
      entryKid.push(kid);
      entryValue.push(v);
    }
    if (entryKid.length - from < 2) {
      entryKid.length = from;
      entryValue.length = from;
      continue;
    }
    readTxns.push(t);
    entryOf.push(entryKid.length);
  }
  const valueOf = (e: number): Json => entryValue[e]!;
  const readOfEntry = (e: number): number => {
    let lo = 0;
    let hi = readTxns.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (entryOf[mid]! <= e) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  // How much of its key each entry saw, or the key is unordered.
  const level = new Int32Array(entryKid.length);
  const unordered = new Set<number>();
  const longest = new Map<number, readonly Json[]>();
  for (let e = 0; e < entryKid.length; e++) {
    const kid = entryKid[e]!;
    if (unordered.has(kid)) continue;
    const v = valueOf(e);
    if (workload === 'rw-register') {
      if (v === null) continue;
      const other = longest.get(kid);
      if (other !== undefined && valueKey(other[0]!) !== valueKey(v)) unordered.add(kid);
      else if (other === undefined) longest.set(kid, [v]);
      level[e] = 1;
    } else {
      const list = v === null ? [] : v;
      if (!Array.isArray(list)) {
        unordered.add(kid);
        continue;
      }
      const other = longest.get(kid) ?? [];
      const [short, long] = list.length <= other.length ? [list, other] : [other, list];
      for (let i = 0; i < short.length; i++) {
        if (short[i] !== long[i] && valueKey(short[i]!) !== valueKey(long[i]!)) {
          unordered.add(kid);
          break;
        }
      }
      if (long !== other) longest.set(kid, long);
      level[e] = list.length;
    }
  }

  // Reads grouped by the (ordered) keys they read, each read's entries sorted by key.
  const groups = new Map<string, { kids: number[]; reads: number[][] }>();
  for (let r = 0; r < readTxns.length; r++) {
    const es: number[] = [];
    for (let e = entryOf[r]!; e < entryOf[r + 1]!; e++) if (!unordered.has(entryKid[e]!)) es.push(e);
    if (es.length < 2) continue;
    es.sort((a, b) => entryKid[a]! - entryKid[b]!);
    const kids = es.map((e) => entryKid[e]!);
    const id = kids.join(',');
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { kids, reads: [] }));
    g.reads.push(es);
  }

  const K = keys.keys.length;
  const forked = new Set<number>();
  const anomalies: LongFork[] = [];
  const maxReported = options.maxReported ?? 8;
  // `more` saw more of x and less of y than `less`.
  const found = (more: number, less: number, x: number, y: number): void => {
    const id = Math.min(x, y) + Math.max(x, y) * K;
    if (forked.has(id)) return;
    forked.add(id);
    if (anomalies.length < maxReported) anomalies.push(explain(more, less, x, y));
  };

  // Within a group (Jepsen's case): sorted by how much they saw in all, the reads of a chain
  // each see at least what the one before saw; a neighbour that saw less of some key is a fork.
  for (const { kids, reads } of groups.values()) {
    if (reads.length < 2) continue;
    const total = (es: number[]): number => {
      let sum = 0;
      for (const e of es) sum += level[e]!;
      return sum;
    };
    const byTotal = reads.map((es) => ({ es, sum: total(es) })).sort((a, b) => a.sum - b.sum);
    for (let i = 0; i < reads.length; i++) reads[i] = byTotal[i]!.es;
    for (let i = 1; i < reads.length; i++) {
      const p = reads[i - 1]!;
      const q = reads[i]!;
      let down = -1;
      let up = -1;
      for (let j = 0; j < kids.length; j++) {
        if (level[p[j]!]! > level[q[j]!]!) down = j;
        else if (level[p[j]!]! < level[q[j]!]!) up = j;
      }
      if (down >= 0 && up >= 0) found(readOfEntry(p[0]!), readOfEntry(q[0]!), kids[down]!, kids[up]!);
    }
  }

  // Across groups, on each pair of keys (x < y) that two groups share: sorted by (x level,
  // y level), the y levels of a chain never fall; where one falls, the two neighbours fork.
  const groupsOfPair = new Map<number, number>();
  for (const { kids } of groups.values()) {
    for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) groupsOfPair.set(kids[i]! + kids[j]! * K, (groupsOfPair.get(kids[i]! + kids[j]! * K) ?? 0) + 1);
  }
  const buckets = new Map<number, number[]>();
  for (const { kids, reads } of groups.values()) {
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        const id = kids[i]! + kids[j]! * K;
        if (groupsOfPair.get(id)! < 2) continue;
        let b = buckets.get(id);
        if (b === undefined) buckets.set(id, (b = []));
        for (const es of reads) b.push(level[es[i]!]!, level[es[j]!]!, readOfEntry(es[0]!));
      }
    }
  }
  for (const [id, data] of buckets) {
    const x = id % K;
    const y = (id - x) / K;
    const n = data.length / 3;
    const order = Array.from({ length: n }, (_, i) => 3 * i);
    order.sort((p, q) => data[p]! - data[q]! || data[p + 1]! - data[q + 1]!);
    for (let i = 1; i < n; i++) {
      const less = order[i - 1]!;
      const more = order[i]!;
      if (data[less + 1]! <= data[more + 1]!) continue;
      found(data[more + 2]!, data[less + 2]!, x, y);
      break;
    }
  }
  const forks = forked.size;

  /** What read r saw of key kid. */
  function seen(r: number, kid: number): Json {
    for (let e = entryOf[r]!; e < entryOf[r + 1]!; e++) if (entryKid[e] === kid) return valueOf(e);
    return null;
  }

  function explain(a: number, b: number, x: number, y: number): LongFork {
    const ta = readTxns[a]!;
    const tb = readTxns[b]!;
    const [kx, ky] = [keys.keys[x]!, keys.keys[y]!];
    const [ax, ay, bx, by] = [seen(a, x), seen(a, y), seen(b, x), seen(b, y)];
    // The write a saw on x and b did not, and the one b saw on y and a did not.
    const first = (more: Json, less: Json): Json => (workload === 'rw-register' ? more : (more as Json[])[less === null ? 0 : (less as Json[]).length]!);
    const [wx, wy] = [first(ax, bx), first(by, ay)];
    const writerX = writerOf(kx, wx);
    const writerY = writerOf(ky, wy);
    const name = (t: number | undefined): string => (t === undefined ? 'an unknown transaction' : txnName(table.ops[t]!));
    const verb = workload === 'rw-register' ? 'write of' : 'append of';
    const what = (k: Key, v: Json): string => (workload === 'rw-register' ? `${show(k)} = ${show(v)}` : `${show(v)} to ${show(k)}`);
    const [A, B] = [txnName(table.ops[ta]!), txnName(table.ops[tb]!)];
    const theirs = writerX === writerY ? `its ${verb} ${what(ky, wy)} (a fractured read)` : `${name(writerY)}'s ${verb} ${what(ky, wy)}`;
    const explanation =
      `${A} read ${show(kx)} = ${show(ax)} and ${show(ky)} = ${show(ay)}, ${B} read ${show(kx)} = ${show(bx)} and ${show(ky)} = ${show(by)}: ` +
      `${A} saw ${name(writerX)}'s ${verb} ${what(kx, wx)} but not ${theirs}, ${B} the reverse, so they saw the two writes in opposite orders (long fork)`;
    const ref = (t: number): TxnRef => txnRef(table.ops[t]!, mops[t]! as unknown as Json);
    return { reads: [ref(ta), ref(tb)], keys: [kx, ky], explanation };
  }

  // An unordered key read together with another key might hide a fork.
  const readsOfKey = new Map<number, number>();
  for (let e = 0; e < entryKid.length; e++) if (unordered.has(entryKid[e]!)) readsOfKey.set(entryKid[e]!, (readsOfKey.get(entryKid[e]!) ?? 0) + 1);
  const hidden = [...unordered].filter((kid) => readsOfKey.get(kid)! >= 2);
  const verdict: Verdict = forks > 0 ? 'invalid' : hidden.length > 0 ? 'unknown' : 'valid';
  const unorderedKeys = [...unordered].slice(0, MAX_UNORDERED_LISTED).map((kid) => keys.keys[kid]!);
  const result: LongForkResult = {
    verdict,
    explanation:
      anomalies[0]?.explanation ??
      `no long fork: the ${readTxns.length} committed read-only transaction(s) of two or more keys saw every pair of keys in one order`,
    workload,
    reads: readTxns.length,
    keys: K,
    forks,
    anomalies,
    unorderedKeys,
  };
  if (verdict === 'unknown') {
    result.reason =
      `reads of ${hidden.length} key(s) (e.g. ${show(keys.keys[hidden[0]!]!)}) cannot be ordered — ` +
      (workload === 'rw-register' ? 'they show two different values, and a register read does not say which write came first' : 'their lists are not prefixes of one another (check them with --workload list-append)');
  }
  return result;
}

function workloadOf(ops: readonly Operation[], mops: readonly MicroOp[][], file: string): 'rw-register' | 'list-append' {
  let append = -1;
  let write = -1;
  for (let t = 0; t < mops.length; t++) {
    for (const [f] of mops[t]!) {
      if (f === 'append' && append < 0) append = t;
      if (f === 'w' && write < 0) write = t;
    }
  }
  if (append >= 0 && write >= 0) {
    throw new InputError(file, undefined, `events ${ops[write]!.invokeIndex} and ${ops[append]!.invokeIndex}: register writes and list appends in one history`, 'a long-fork history is rw-register (w, r) or list-append (append, r)');
  }
  if (append >= 0 || write >= 0) return append >= 0 ? 'list-append' : 'rw-register';
  // Only reads: lists say list-append.
  return mops.some((ms) => ms.some((m) => Array.isArray(m[2]))) ? 'list-append' : 'rw-register';
}
