/**
 * The pure part of the set, txn and counter capabilities every system shares: where the
 * data lives, how lists and set elements are encoded, and what a transaction's micro-ops
 * mean. Each system reads the keys a transaction touches, evaluates it here, and commits
 * the writes conditionally on nothing having changed since its read.
 */
import type { Json, Key } from '../history/event.js';
import type { CallOptions, MicroOp, TxnCapability } from '../runner/capabilities.js';
import { sleepMs } from '../runner/async.js';
import { KEY_PREFIX, abortError, decodeValue, definitely, encodeValue, rounds } from './capability-support.js';
import { exactJsonText, parseExactJson } from '../history/exact-json.js';

/** The one set the `set` workload grows; each element is a key or child under it. */
export const SET_PREFIX = `${KEY_PREFIX}/set`;
/** Transaction keys (one list or value per key) live under this prefix. */
export const TXN_PREFIX = `${KEY_PREFIX}/txn`;
/** The one counter the `counter` workload increments. */
export const COUNTER_KEY = `${KEY_PREFIX}/counter`;

export function txnKey(key: Key): string {
  return `${TXN_PREFIX}/${encodeURIComponent(String(key))}`;
}

/**
 * A set element as one path segment (a key suffix or a znode name): its JSON text,
 * percent-encoded, so `1` and `"1"` stay distinct and `/` cannot split it.
 */
export function elementName(element: Json): string {
  return encodeURIComponent(encodeValue(element));
}

/** The element back from its name; a name faultline did not write is reported as it is. */
export function elementFromName(name: string): Json {
  try {
    return parseExactJson(decodeURIComponent(name)) as Json;
  } catch {
    return name;
  }
}

/** A list as stored where the system has no list type: JSON array text. */
export function encodeList(list: readonly Json[]): string {
  return exactJsonText(list);
}

/** Stored text back as a value; absent (`null`/`undefined`) reads `null`, and so does an empty znode. */
export function decodeStored(text: string | null | undefined): Json {
  return text === '' ? null : decodeValue(text);
}

/** A counter's stored value as a number; absent is 0. */
export function counterValue(stored: Json): number {
  if (stored === null) return 0;
  if (typeof stored === 'number' && Number.isSafeInteger(stored)) return stored;
  throw new Error(`the counter holds ${encodeValue(stored).slice(0, 40)}, not an integer`);
}

/** A counter as stored (decimal text, which is also its JSON); absent is 0. */
export function decodeCounter(text: string | null | undefined): number {
  return counterValue(decodeStored(text));
}

export function checkDelta(delta: number): void {
  if (!Number.isSafeInteger(delta)) throw definitely('invalid-delta', `counter delta ${String(delta)} is not an integer`);
}

const MICRO_OP_FUNCTIONS = new Set(['r', 'w', 'append']);

/**
 * Rejects, before anything is sent, a transaction no system could run as written: no
 * micro-ops, an unknown function, a key that is not a string or number, or an append to a
 * key the same transaction just set to a non-list (the stored value could not take it).
 */
export function validateMicroOps(ops: readonly MicroOp[]): void {
  if (ops.length === 0) throw definitely('invalid-txn', 'a transaction needs at least one micro-op');
  const scalars = new Set<string>();
  for (const [i, op] of ops.entries()) {
    const [f, key, value] = op;
    if (!MICRO_OP_FUNCTIONS.has(f)) throw definitely('invalid-txn', `micro-op ${i}: unknown function ${exactJsonText(f)}`);
    if (typeof key !== 'string' && typeof key !== 'number') throw definitely('invalid-txn', `micro-op ${i}: key must be a string or number`);
    const k = String(key);
    if (f === 'w') {
      if (Array.isArray(value)) scalars.delete(k);
      else scalars.add(k);
    }
    if (f === 'append' && scalars.has(k)) throw definitely('invalid-txn', `micro-op ${i}: append to key ${k} after writing a non-list to it`);
  }
}

/** The distinct storage keys a transaction touches, in first-touch order. */
export function touchedKeys(ops: readonly MicroOp[]): string[] {
  return [...new Set(ops.map(([, key]) => String(key)))];
}

export interface Evaluated {
  /** The micro-ops with reads filled in. */
  readonly completed: MicroOp[];
  /** The final value of every written key. */
  readonly writes: Map<string, Json>;
}

/**
 * Runs `ops` against `state` (each touched key's stored value, `null` when absent):
 * `append` adds to the key's list (creating it), `w` replaces the value, `r` reads it.
 * Appending to a stored non-list is refused (nothing is committed).
 */
export function evaluateMicroOps(state: ReadonlyMap<string, Json>, ops: readonly MicroOp[]): Evaluated {
  const current = new Map(state);
  const writes = new Map<string, Json>();
  const completed = ops.map(([f, key, value]): MicroOp => {
    const k = String(key);
    const stored = current.get(k) ?? null;
    if (f === 'r') return [f, key, structuredClone(stored)];
    let next: Json;
    if (f === 'w') next = value;
    else if (stored === null) next = [value];
    else if (Array.isArray(stored)) next = [...stored, value];
    else throw definitely('not-a-list', `key ${k} holds ${encodeValue(stored).slice(0, 40)}, cannot append`);
    current.set(k, next);
    writes.set(k, next);
    return [f, key, value];
  });
  return { completed, writes };
}

/**
 * A system's read-then-conditional-write primitive: `read` returns the stored values of
 * some keys (`null` when absent) and whatever `commit` needs to tell whether any of them
 * changed since; `commit` applies `writes` (JSON values by storage key) only if none did,
 * resolving `false` — nothing applied — when one had.
 */
export interface ConditionalStore<Seen> {
  read(keys: readonly string[]): Promise<{ values: Json[]; seen: Seen }>;
  commit(seen: Seen, writes: ReadonlyMap<string, Json>): Promise<boolean>;
  /** Whether `read` is one atomic snapshot, so that a read-only transaction needs no commit. */
  readonly snapshotReads: boolean;
  /** Test hook: runs between a read and its commit (to provoke a conflict). */
  readonly beforeCommit?: () => Promise<void>;
}

const MAX_BACKOFF_MS = 64;

/**
 * Reads, computes the writes, and commits if nothing changed; a lost race applied nothing
 * and is run again from a fresh read, until the call is aborted or `rounds` gives up
 * (a definite failure). `compute` resolves the call's result and the writes.
 */
export async function readModifyCommit<Seen, T>(
  store: ConditionalStore<Seen>,
  what: string,
  keys: readonly string[],
  signal: AbortSignal,
  compute: (values: Json[]) => { result: T; writes: ReadonlyMap<string, Json> },
): Promise<T> {
  let lost = 0;
  return rounds(what, async () => {
    // Jittered, growing backoff after a lost race, so that contenders stop colliding in step.
    if (lost > 0) await sleepMs(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** lost), signal);
    if (signal.aborted) throw abortError(signal);
    const { values, seen } = await store.read(keys);
    const { result, writes } = compute(values);
    if (writes.size === 0 && store.snapshotReads) return { result };
    await store.beforeCommit?.();
    if (await store.commit(seen, writes)) return { result };
    lost++;
    return undefined;
  }).then(({ result }) => result);
}

/** Transactions over a conditional store: every touched key is pinned at commit, read-only ones included. */
export function conditionalTxn<Seen>(store: ConditionalStore<Seen>): TxnCapability {
  return {
    async run(ops: readonly MicroOp[], { signal }: CallOptions) {
      validateMicroOps(ops);
      const keys = touchedKeys(ops);
      return readModifyCommit(store, 'txn', keys.map(txnKey), signal, (values) => {
        const { completed, writes } = evaluateMicroOps(new Map(keys.map((k, i) => [k, values[i] ?? null])), ops);
        return { result: completed, writes: new Map([...writes].map(([k, v]) => [txnKey(k), v])) };
      });
    },
  };
}

/** Adds `delta` to the counter at COUNTER_KEY through a conditional store. */
export async function conditionalAdd<Seen>(store: ConditionalStore<Seen>, delta: number, { signal }: CallOptions): Promise<void> {
  checkDelta(delta);
  await readModifyCommit(store, 'counter', [COUNTER_KEY], signal, ([current]) => {
    return { result: undefined, writes: new Map([[COUNTER_KEY, counterValue(current ?? null) + delta]]) };
  });
}
