import type { Json, Key } from '../history/event.js';

/**
 * What a workload needs from a database, independent of which database it is. Each
 * system's client implements the capabilities it can honestly offer; "this system cannot
 * run this workload" is then a lookup answered before anything starts.
 *
 * Every call takes the operation's AbortSignal: it fires at the per-operation timeout (the
 * operation then completes `info`), and a client should stop waiting and free what it holds.
 *
 * Results and errors follow the outcome rules in `outcome.ts`: resolve when the operation
 * happened; throw `DefiniteFailure` only when the system certainly did not apply it;
 * anything else thrown is treated as indeterminate (`info`).
 */
export interface CallOptions {
  signal: AbortSignal;
}

export interface RegisterCapability {
  /** The current value, or `null` when the key does not exist. */
  read(key: Key, options: CallOptions): Promise<Json>;
  write(key: Key, value: Json, options: CallOptions): Promise<void>;
  /** Sets `next` if the current value is `expected`; resolves `false` when it was not (a definite failure). */
  cas(key: Key, expected: Json, next: Json, options: CallOptions): Promise<boolean>;
}

/** What an acquire hands back: the token that proves ownership, and the system's fencing token when it grants one. */
export interface LockGrant {
  readonly token: string;
  /**
   * A number the system itself makes larger with every grant of this lock (a Redis counter
   * incremented with the lock, ZooKeeper's sequence number, etcd's revision, Consul's
   * ModifyIndex): a resource that refuses smaller ones than it has seen is safe from a
   * holder whose lease expired under it.
   */
  readonly fence?: number;
}

/**
 * `released`: the token held the lock and the release freed it. `lost`: the lock was no
 * longer held by the token (its lease or session expired, or another holder has it), so
 * the release changed nothing — the holder lost the lock before it released. Neither is a
 * failure: the release did what a release can do.
 */
export type ReleaseOutcome = 'released' | 'lost';

export interface LockCapability {
  /**
   * Resolves once the lock is held (the system's own lease/session expires it after `ttlMs`).
   * With `fence`, the grant must carry a fencing token (a system may then need a round trip
   * more); without it, systems that have one for free include it anyway.
   */
  acquire(name: string, ttlMs: number, options: CallOptions & { readonly fence?: boolean }): Promise<LockGrant>;
  /** Releases the lock if `token` still holds it. */
  release(name: string, token: string, options: CallOptions): Promise<ReleaseOutcome>;
}

/**
 * One leadership term as the system names it: who leads (the candidate string given to
 * `campaign`) and the term's identity in the system's own terms (etcd: the leader key and
 * its creation revision; ZooKeeper: the sequential znode; Consul: the session and the key's
 * ModifyIndex after the acquire; Redis: the random token stored with the candidate).
 */
export interface ElectionTerm {
  readonly leader: string;
  readonly term: string;
}

export interface ElectionCapability {
  /**
   * Resolves once `candidate` leads the election `name` (blocking while another leads). The
   * system expires the term `ttlMs` after the leader's client stops renewing it (a lease, a
   * session; the naive Redis recipe never renews).
   */
  campaign(name: string, candidate: string, ttlMs: number, options: CallOptions): Promise<ElectionTerm>;
  /** Gives the term up: `released` when it still led, `lost` when the term had already ended. */
  resign(name: string, term: ElectionTerm, options: CallOptions): Promise<ReleaseOutcome>;
  /** Who leads now, or `null` when nobody does. */
  observe(name: string, options: CallOptions): Promise<ElectionTerm | null>;
}

export interface SetCapability {
  add(element: Json, options: CallOptions): Promise<void>;
  read(options: CallOptions): Promise<Json[]>;
}

/** A transaction micro-operation, as in list-append / rw-register histories: `['append', k, 3]`, `['r', k, null]`. */
export type MicroOp = readonly [f: 'r' | 'w' | 'append', key: Key, value: Json];

export interface TxnCapability {
  /** Runs the micro-operations atomically; resolves with them completed (reads filled in). */
  run(ops: readonly MicroOp[], options: CallOptions): Promise<MicroOp[]>;
}

export interface CounterCapability {
  add(delta: number, options: CallOptions): Promise<void>;
  read(options: CallOptions): Promise<number>;
}

/**
 * A bank of BANK_ACCOUNTS accounts (src/systems/bank.ts) whose balances move only by
 * transfers, each one atomic through the system's own transaction.
 */
export interface BankCapability {
  /** Moves `amount` from one account to another; a balance that would go negative refuses it (a definite failure). */
  transfer(from: number, to: number, amount: number, options: CallOptions): Promise<void>;
  /** Every account's balance, read in one transaction (index = account). */
  read(options: CallOptions): Promise<Json[]>;
}

/** One FIFO queue (src/systems/queue.ts). */
export interface QueueCapability {
  enqueue(element: Json, options: CallOptions): Promise<void>;
  /** The head, removed; `null` when the queue is empty. */
  dequeue(options: CallOptions): Promise<Json>;
  /** Everything left, removed in one transaction, head first. */
  drain(options: CallOptions): Promise<Json[]>;
}

/** One entry a stream handed to a consumer. */
export interface StreamEntry {
  /** The entry's id, `<ms>-<seq>`, increasing in the order entries were added. */
  readonly id: string;
  readonly value: Json;
}

/**
 * An append-only log read through a consumer group with acknowledgements (Redis streams):
 * each entry goes to one consumer of the group and stays pending until acknowledged; an
 * entry left pending (its consumer crashed before acking) is claimed by another consumer.
 * At-least-once: an entry is redelivered only while unacknowledged. Each client is one consumer.
 */
export interface StreamQueueCapability {
  /** Appends; resolves with the entry's id. */
  enqueue(element: Json, options: CallOptions): Promise<string>;
  /** Up to `count` entries no consumer of the group was given yet, oldest first, now pending on this one. */
  read(count: number, options: CallOptions): Promise<StreamEntry[]>;
  /** Takes over up to `count` entries pending (on any consumer) for at least `minIdleMs`. */
  claim(minIdleMs: number, count: number, options: CallOptions): Promise<StreamEntry[]>;
  /** Acknowledges: the entries leave the pending list. Resolves with how many were pending. */
  ack(ids: readonly string[], options: CallOptions): Promise<number>;
}

/** One change a watch delivered: the key, the value it was set to, the revision it was made at. */
export interface WatchEvent {
  readonly key: string;
  readonly value: Json;
  readonly revision: number;
}

export interface WatchWindow {
  readonly from: number;
  readonly responses: readonly (readonly WatchEvent[])[];
  readonly interrupted: boolean;
  /** A replay from the start: the newest revision of any watched key when it began (all of it is delivered once this is). */
  readonly through?: number;
}

/**
 * A store with a change stream (etcd's watch): puts made atomically at one revision, and
 * watches that replay every change from a given revision on.
 */
export interface StreamWatchCapability {
  readonly style: 'stream';
  /** Puts every pair in one transaction; resolves with the revision it was made at. */
  put(pairs: readonly (readonly [key: string, value: Json])[], options: CallOptions): Promise<number>;
  /**
   * Watches every key `put` writes for `windowMs`, from the revision after the last event this
   * connection's previous watch delivered — on a fresh connection from a little before the
   * current revision, with `fromStart` from revision 1 (a replay of everything) — and resolves with where it started and the
   * responses received, in order. `interrupted` when the stream broke before the window ended
   * (what came before still came).
   */
  watch(windowMs: number, fromStart: boolean, options: CallOptions): Promise<WatchWindow>;
}

/** What a state-based watch window read, in arrival order (see src/checker/watch/state.ts). */
export interface StateObservation {
  readonly key: string;
  readonly cause: 'get' | 'notification' | 'check' | 'block';
  readonly value?: Json;
  readonly revision?: number;
  readonly version?: number;
  readonly requested?: number;
  readonly index?: number;
  readonly elapsedMs?: number;
  readonly waitMs?: number;
  readonly atMs?: number;
}

export interface StateWindow {
  readonly system: 'zookeeper' | 'consul';
  readonly interrupted: boolean;
  readonly observations: readonly StateObservation[];
  /** Consul: `stale` when the window's blocking queries were `?stale` (`--read-mode stale`, known-unsafe). */
  readonly consistency?: 'stale';
}

/**
 * A store that tells when a key changed, not every change: ZooKeeper's one-shot watches,
 * Consul's blocking queries. Puts resolve with the revision (mzxid, ModifyIndex) they were
 * made at; a window follows every key (re-reading on each notification, or blocking on each
 * key's index) for `windowMs`.
 */
export interface StateWatchCapability {
  readonly style: 'state';
  put(pairs: readonly (readonly [key: string, value: Json])[], options: CallOptions): Promise<number>;
  watch(windowMs: number, keys: readonly string[], options: CallOptions): Promise<StateWindow>;
}

export type WatchCapability = StreamWatchCapability | StateWatchCapability;

export interface Capabilities {
  register?: RegisterCapability;
  /** The register keys' change stream (etcd): the same watch as StreamWatchCapability's, over the register workload's keys. */
  registerStream?: StreamWatchCapability;
  watch?: WatchCapability;
  bank?: BankCapability;
  queue?: QueueCapability;
  stream?: StreamQueueCapability;
  lock?: LockCapability;
  election?: ElectionCapability;
  set?: SetCapability;
  txn?: TxnCapability;
  counter?: CounterCapability;
}

export type CapabilityName = keyof Capabilities;
