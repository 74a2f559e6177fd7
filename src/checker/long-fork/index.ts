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
  /** Key pairs on which some two reads disagree (one fork is explained per pair). */
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
  // Who wrote (or appended) each value, for explanations: key id → value → transaction.
  const writer: Map<unknown, number>[] = [];
  for (let t = 0; t < mops.length; t++) {
    for (const [f, k, v] of mops[t]!) if (f !== 'r') (writer[keys.id(k)] ??= new Map()).set(valueKey(v), t);
  }

  // Committed read-only transactions: each key's first read.
  const readTxns: number[] = [];
  const readsOf: Map<number, Json>[] = [];
  for (let t = 0; t < mops.length; t++) {
    const ms = mops[t]!;
    if (table.ops[t]!.type !== 'ok' || ms.length < 2 || ms.some((m) => m[0] !== 'r')) continue;
    const seen = new Map<number, Json>();
    for (const [, k, v] of ms) if (!seen.has(keys.id(k))) seen.set(keys.id(k), v);
    if (seen.size < 2) continue;
    readTxns.push(t);
    readsOf.push(seen);
  }

  // Each key's reads ordered: how much of the key each read saw, or the key is unordered.
  const level = new Map<number, Map<number, number>>();
  const unordered = new Set<number>();
  const longest = new Map<number, readonly Json[]>();
  for (let r = 0; r < readTxns.length; r++) {
    for (const [kid, v] of readsOf[r]!) {
      if (unordered.has(kid)) continue;
      let l: number;
      if (workload === 'rw-register') {
        if (v === null) l = 0;
        else {
          const other = longest.get(kid);
          if (other !== undefined && valueKey(other[0]!) !== valueKey(v)) {
            unordered.add(kid);
            continue;
          }
          longest.set(kid, [v]);
          l = 1;
        }
      } else {
        const list = v === null ? [] : v;
        if (!Array.isArray(list)) {
          unordered.add(kid);
          continue;
        }
        const other = longest.get(kid) ?? [];
        const [short, long] = list.length <= other.length ? [list, other] : [other, list];
        if (short.some((e, i) => valueKey(e) !== valueKey(long[i]!))) {
          unordered.add(kid);
          continue;
        }
        longest.set(kid, long);
        l = list.length;
      }
      let m = level.get(kid);
      if (m === undefined) level.set(kid, (m = new Map()));
      m.set(r, l);
    }
  }

  // Per pair of keys (x, y) read together: sorted by (x level, y level), the y levels of a
  // chain never fall; where one falls, the two neighbours are a fork.
  const buckets = new Map<number, number[][]>();
  const K = keys.keys.length;
  for (let r = 0; r < readTxns.length; r++) {
    const kids = [...readsOf[r]!.keys()].filter((k) => !unordered.has(k)).sort((a, b) => a - b);
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        const x = kids[i]!;
        const y = kids[j]!;
        const id = x + y * K;
        let b = buckets.get(id);
        if (b === undefined) buckets.set(id, (b = []));
        b.push([level.get(x)!.get(r)!, level.get(y)!.get(r)!, r, x, y]);
      }
    }
  }
  let forks = 0;
  const anomalies: LongFork[] = [];
  const maxReported = options.maxReported ?? 8;
  for (const b of buckets.values()) {
    b.sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
    for (let i = 1; i < b.length; i++) {
      const less = b[i - 1]!;
      const more = b[i]!;
      if (less[1]! <= more[1]!) continue;
      forks++;
      // `more` saw more of x and less of y than `less`.
      if (anomalies.length < maxReported) anomalies.push(explain(more[2]!, less[2]!, more[3]!, more[4]!));
      break;
    }
  }

  function explain(a: number, b: number, x: number, y: number): LongFork {
    const ta = readTxns[a]!;
    const tb = readTxns[b]!;
    const [kx, ky] = [keys.keys[x]!, keys.keys[y]!];
    const [ax, ay, bx, by] = [readsOf[a]!.get(x)!, readsOf[a]!.get(y)!, readsOf[b]!.get(x)!, readsOf[b]!.get(y)!];
    // The write a saw on x and b did not, and the one b saw on y and a did not.
    const first = (more: Json, less: Json): Json => (workload === 'rw-register' ? more : (more as Json[])[less === null ? 0 : (less as Json[]).length]!);
    const [wx, wy] = [first(ax, bx), first(by, ay)];
    const writerX = writer[x]?.get(valueKey(wx));
    const writerY = writer[y]?.get(valueKey(wy));
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
  const hidden = [...unordered].filter((kid) => readsOf.filter((m) => m.has(kid) && m.size >= 2).length >= 2);
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
