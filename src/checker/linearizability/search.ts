import type { Json } from '../../history/event.js';
import { type CheckedOp, toModelOp } from './info-ops.js';
import { EntryList } from './entries.js';
import { buildExplanation, type Deepest } from './explain.js';
import { LinearizedSet } from './linearized-set.js';
import type { AnyModel, TimedOp } from './model.js';
import type { PartitionResult } from './result.js';
import { SeenConfigurations } from './seen.js';
import { StateTable } from './state-table.js';

export interface Budget {
  /** Wall-clock deadline (Date.now() milliseconds); Infinity for none. */
  deadline: number;
  /** Bytes the remembered configurations may take (all searches of one thread together). */
  maxCacheBytes: number;
  /**
   * False stores each explored configuration's whole linearized set instead of its open
   * window: for tests (the two must agree) and benchmarks only.
   */
  windowed?: boolean;
  /** Caps the explored-configuration table below the budget (tests: forget often). */
  seenLimitBytes?: number;
}

/** The least the configuration table gets, whatever else the budget holds. */
const MIN_SEEN_BYTES = 1 << 20;

export type SearchOutcome = Omit<PartitionResult, 'key'>;

const CHECK_EVERY = 4096;
/** Search steps spent on a richer explanation when the verdict is already known to be invalid. */
const EXPLAIN_STEPS = 200_000;
/** How much of the deepest path an explanation keeps. */
const TAIL = 20;
/**
 * The checks before searching (impossible reads, stale reads, the model's decision
 * procedure) wait, in a partition of at most EAGER_MAX_OPS ops, until the search has
 * taken this many steps per op (plus the base): a tiny partition — a per-key history of
 * a few dozen ops — is usually searched to the end in a few steps per op, for less than
 * those checks cost (measured: kv's impossible-read check hashed every prefix of every
 * get's value, the largest share of a small key's time). A larger one gets them at once:
 * there they are what decides it, and 2,000 cold search steps first cost ~50 ms of CPU
 * (measured on the 10k-op rows of bench:check).
 */
const EAGER_STEPS_PER_OP = 8;
const EAGER_STEPS_BASE = 64;
const EAGER_MAX_OPS = 256;
/** How an op got onto the search path, which decides what backtracking tries next. */
const NORMAL = 0;
/** A matching read-only op: backtracking goes straight past it (see `advance`). */
const FORCED = 1;

/**
 * Wing & Gong's search with Lowe's memoisation, resumable so several partitions can share
 * a thread fairly. Repeatedly take an op whose call precedes the first pending return,
 * step the model, and backtrack when a return is reached with its op not yet taken;
 * (linearized set, state) pairs already explored are skipped. `ops` must be pruned
 * already (no failed ops); they are numbered in call order.
 */
export class PartitionSearch {
  private readonly started = performance.now();
  private readonly ops: CheckedOp[];
  private readonly list: EntryList;
  private readonly linearized: LinearizedSet;
  private readonly seen: SeenConfigurations;
  /** How many searches share the budget (set by the scheduler). */
  private sharing = 1;
  private readonly table: StateTable;
  private readonly nondeterministic: boolean;
  // The search path, a stack of (op, state before, state after, kind).
  private readonly pathOp: Int32Array;
  private readonly pathBefore: Int32Array;
  private readonly pathAfter: Int32Array;
  private readonly pathKind: Uint8Array;
  private readonly pathBranches: (number[] | undefined)[] = [];
  private readonly pathBranch: Int32Array;
  private depth = 0;
  private state: number;
  private entry: number;
  /**
   * A check before the search (a stale read, the model's decision procedure) found the
   * partition invalid: the search still runs for EXPLAIN_STEPS steps for its richer
   * explanation (the longest prefix), then settles for this one.
   */
  private conflict: Deepest | undefined;
  /** The model decided the partition valid without searching. */
  private decidedValid = false;
  /** True on arriving at a configuration not yet examined. */
  private fresh = true;
  private nodes = 0;
  private readonly isLinearized = (o: number): boolean => this.linearized.has(o);
  private readonly deepest: Deepest = { depth: -1, path: [], blocked: -1, states: [], candidates: [] };

  constructor(
    model: AnyModel,
    initial: Json | undefined,
    source: readonly CheckedOp[],
    private readonly budget: Budget,
  ) {
    this.ops = [...source].sort((a, b) => a.call - b.call || a.id - b.id);
    const n = this.ops.length;
    this.list = new EntryList(this.ops);
    this.linearized = new LinearizedSet(n);
    // Tables start about as large as the partition (at most 4096 slots) and grow as needed.
    let slots = 64;
    while (slots < 4096 && slots < 4 * n) slots *= 2;
    this.seen = new SeenConfigurations(budget.windowed ?? true, budget.seenLimitBytes, slots);
    this.table = new StateTable(model, this.ops.map(toModelOp), slots);
    this.nondeterministic = model.branches !== undefined;
    this.pathOp = new Int32Array(n);
    this.pathBefore = new Int32Array(n);
    this.pathAfter = new Int32Array(n);
    this.pathKind = new Uint8Array(n);
    this.pathBranch = new Int32Array(this.nondeterministic ? n : 0);
    this.state = this.table.intern(model.init(initial));
    this.initialState = this.state;
    this.entry = this.list.next[this.list.head]!;
    this.limitSeen();
    this.model = model;
    this.initial = initial;
    this.eagerSteps = n <= EAGER_MAX_OPS ? EAGER_STEPS_PER_OP * n + EAGER_STEPS_BASE : 0;
  }

  private readonly model: AnyModel;
  private readonly initial: Json | undefined;
  /** Search steps tried before the checks below (see EAGER_STEPS_PER_OP). */
  private readonly eagerSteps: number;
  private prechecked = false;
  /** The model's initial state id: the checks run mid-search, when `state` has moved on. */
  private readonly initialState: number;

  /**
   * The checks before the search: an impossible read, the model's stale-read rule and
   * decision procedure. Each is sound on its own, so running them late changes no verdict.
   */
  private precheck(): void {
    this.prechecked = true;
    const { model, initial } = this;
    this.findImpossible();
    if (!this.settled) this.findOverwritten(model, initial);
    if (!this.settled) this.decideWithoutSearch(model, initial);
  }

  /** The model's complete decision procedure, when it has one for this history (see Model.decide). */
  private decideWithoutSearch(model: AnyModel, initial: Json | undefined): void {
    if (model.decide === undefined) return;
    const decision = model.decide(this.timed(), model.init(initial));
    if (decision === undefined) return;
    if (decision.valid) this.decidedValid = true;
    else this.conflict = { depth: 0, path: [], blocked: decision.blocked, states: [], candidates: [], conflict: { with: decision.other, why: decision.why } };
  }

  private timedOps: TimedOp[] | undefined;

  /** The ops with their intervals, for the models' checks before searching. */
  private timed(): TimedOp[] {
    // A literal, not a spread of toModelOp: a million of these are built for a long history.
    this.timedOps ??= this.ops.map((o): TimedOp => {
      const t: TimedOp = { f: o.f, input: o.input, output: o.output, known: o.type === 'ok', call: o.call, ret: o.type === 'info' ? (o.by ?? Infinity) : o.ret };
      if (o.key !== undefined) t.key = o.key;
      return t;
    });
    return this.timedOps;
  }

  /**
   * Before searching, the model's stale-read rule (e.g. a read of a value certainly
   * overwritten before it began): the first such op settles the verdict, however deep
   * into the history it is — within EXPLAIN_STEPS search steps.
   */
  private findOverwritten(model: AnyModel, initial: Json | undefined): void {
    if (model.overwritten === undefined) return;
    const found = model.overwritten(this.timed(), model.init(initial));
    if (found === undefined) return;
    this.conflict = { depth: 0, path: [], blocked: found.op, states: [], candidates: [], overwrittenBy: found.by };
  }

  /**
   * Before searching: a read-only op that no sequence of the history's ops can satisfy
   * from the initial state (it read a value nobody wrote) settles the verdict at once.
   */
  private findImpossible(): void {
    const none = (): boolean => false;
    for (let o = 0; o < this.ops.length; o++) {
      if (!this.table.isReadOnly(o) || this.table.stillSatisfiable(this.initialState, o, none)) continue;
      Object.assign(this.deepest, { depth: 0, path: [], blocked: o, states: [this.initialState], candidates: [o], impossible: true });
      return;
    }
  }

  /** True when a check before the search already found the partition invalid. */
  private get settled(): boolean {
    return this.deepest.impossible === true || this.conflict !== undefined;
  }

  /**
   * Memory the search's tables may need: three times what they hold, because a table
   * that doubles briefly holds its old and new arrays together.
   */
  get cacheBytes(): number {
    return 3 * (this.seen.bytes + this.table.bytes);
  }

  /** Tells the search how many searches share its thread's budget. */
  share(count: number): void {
    this.sharing = Math.max(1, count);
    this.limitSeen();
  }

  /**
   * The configuration table gets what the budget leaves after the transition memo (a
   * third of it: tables briefly hold old and new arrays while doubling); past that it
   * forgets old configurations rather than stopping the search.
   */
  private limitSeen(): void {
    const budget = this.budget.maxCacheBytes / this.sharing;
    const left = Math.max(MIN_SEEN_BYTES, (budget - 3 * this.table.bytes) / 3);
    this.seen.limit = Math.min(left, this.budget.seenLimitBytes ?? Infinity);
  }

  /** True when the transition memo alone leaves the configuration table too little. */
  private get overBudget(): boolean {
    return 3 * (this.table.bytes + MIN_SEEN_BYTES) > this.budget.maxCacheBytes / this.sharing;
  }

  /** Runs at most `steps` more search steps; the outcome once decided, else undefined. */
  advance(steps: number): SearchOutcome | undefined {
    const { list, table, budget } = this;
    let left = steps;
    while (list.returnsLeft > 0) {
      if (this.nodes >= this.eagerSteps && !this.prechecked) {
        this.precheck();
        if (this.deepest.impossible === true) return this.finish('invalid');
        if (this.decidedValid) return this.finish('valid');
      }
      if (++this.nodes % CHECK_EVERY === 0) {
        if (Date.now() > budget.deadline) return this.finish('unknown', `time limit reached after ${this.nodes} search steps${this.forgottenNote()}`);
        if (this.overBudget) return this.stop(memoryReason(budget.maxCacheBytes));
        this.limitSeen();
      }
      if (--left < 0) return undefined;
      if (this.conflict !== undefined && this.nodes > EXPLAIN_STEPS) return this.finish('invalid', undefined, this.conflict);
      if (this.fresh) {
        this.fresh = false;
        for (let e = list.next[list.head]!; list.isReturn[e] === 0; e = list.next[e]!) {
          const o = list.op[e]!;
          // Partial-order reduction: a read-only candidate that matches the state can be
          // taken now without loss — it changes nothing, so moving it earlier keeps any
          // linearization valid — and this configuration succeeds iff taking it does.
          if (!table.isReadOnly(o)) continue;
          if (table.step(this.state, o) === this.state) {
            if (!this.take(o, FORCED) && !this.backtrack()) return this.exhausted();
            break;
          }
          // A pending read that no continuation can satisfy: this configuration is a dead end.
          if (!table.stillSatisfiable(this.state, o, this.isLinearized)) {
            if (this.depth >= this.deepest.depth) this.noteDeadEnd(o, list.next[e]!);
            if (!this.backtrack()) return this.exhausted();
            break;
          }
        }
        continue;
      }
      const entry = this.entry;
      const o = list.op[entry]!;
      if (list.isReturn[entry] === 0) {
        if (!this.take(o, NORMAL)) this.entry = list.next[entry]!;
        continue;
      }
      // A return whose op is not linearized yet: this configuration is a dead end.
      if (this.depth >= this.deepest.depth) this.noteDeadEnd(o, entry);
      if (!this.backtrack()) return this.exhausted();
    }
    // Cannot happen (the model's decision procedure is exact): say so rather than pick one.
    if (this.conflict !== undefined) {
      this.conflict = undefined;
      return this.finish('unknown', 'the search and a check before it disagree (a checker bug)');
    }
    return this.finish('valid');
  }

  /**
   * Every order failed. When the search ended before the checks ran, the impossible-read
   * check still runs: its explanation (a value nobody wrote) is the one an invalid verdict
   * gets whenever it applies, however soon the search ended.
   */
  private exhausted(): SearchOutcome {
    if (!this.prechecked) {
      this.prechecked = true;
      this.findImpossible();
    }
    return this.finish('invalid');
  }

  private forgottenNote(): string {
    const n = this.seen.forgotten;
    return n === 0 ? '' : ` (${n} explored configurations forgotten to stay within memory, so some were explored again)`;
  }

  /** Ends the search as unknown (a budget ran out). */
  stop(reason: string): SearchOutcome {
    return this.finish('unknown', reason);
  }

  /** Linearizes op `o` next if the model allows it and the result is unexplored. */
  private take(o: number, kind: number): boolean {
    const { table, linearized, seen } = this;
    const alternatives = this.nondeterministic ? table.branches(this.state, o) : undefined;
    let after = -1;
    let branch = 0;
    if (alternatives === undefined) {
      const next = table.step(this.state, o);
      if (next < 0) return false;
      linearized.add(o);
      if (seen.add(linearized, next)) after = next;
    } else {
      linearized.add(o);
      branch = alternatives.findIndex((s) => seen.add(linearized, s));
      if (branch >= 0) after = alternatives[branch]!;
    }
    if (after < 0) {
      linearized.delete(o);
      return false;
    }
    const d = this.depth++;
    this.pathOp[d] = o;
    this.pathBefore[d] = this.state;
    this.pathAfter[d] = after;
    this.pathKind[d] = kind;
    if (this.nondeterministic) {
      this.pathBranches[d] = alternatives;
      this.pathBranch[d] = branch;
    }
    this.state = after;
    this.list.lift(o);
    this.entry = this.list.next[this.list.head]!;
    this.fresh = true;
    return true;
  }

  /** Undoes steps until one leaves an alternative to try; false when none is left. */
  private backtrack(): boolean {
    const { list, linearized } = this;
    for (;;) {
      if (this.depth === 0) return false;
      const top = this.depth - 1;
      const rest = this.nondeterministic ? this.pathBranches[top] : undefined;
      if (rest !== undefined) {
        let i = this.pathBranch[top]! + 1;
        while (i < rest.length && !this.seen.add(linearized, rest[i]!)) i++;
        if (i < rest.length) {
          this.pathBranch[top] = i;
          this.pathAfter[top] = rest[i]!;
          this.state = rest[i]!;
          this.entry = list.next[list.head]!;
          this.fresh = true;
          return true;
        }
      }
      this.depth = top;
      this.state = this.pathBefore[top]!;
      const undone = this.pathOp[top]!;
      list.unlift(undone);
      linearized.delete(undone);
      const kind = this.pathKind[top];
      if (kind === NORMAL) {
        this.entry = list.next[list.callEntry[undone]!]!;
        return true;
      }
    }
  }

  /** Keeps the deepest dead end seen: the explanation of an invalid verdict. */
  private noteDeadEnd(blocked: number, at: number): void {
    const { deepest, list, depth, state } = this;
    if (depth === deepest.depth) {
      if (deepest.blocked === blocked && deepest.states.length < 8 && !deepest.states.includes(state)) deepest.states.push(state);
      return;
    }
    deepest.depth = depth;
    deepest.path = [];
    for (let d = Math.max(0, depth - TAIL); d < depth; d++) deepest.path.push({ op: this.pathOp[d]!, after: this.pathAfter[d]! });
    deepest.blocked = blocked;
    deepest.states = [state];
    deepest.candidates = [];
    for (let e = list.next[list.head]!; e !== at && e >= 0 && deepest.candidates.length < 50; e = list.next[e]!) {
      if (list.isReturn[e] === 0) deepest.candidates.push(list.op[e]!);
    }
  }

  private finish(verdict: SearchOutcome['verdict'], reason?: string, deepest = this.deepest): SearchOutcome {
    // A budget that runs out while looking for a richer explanation leaves the model's.
    if (verdict === 'unknown' && this.conflict !== undefined) return this.finish('invalid', undefined, this.conflict);
    const result: SearchOutcome = {
      verdict,
      ops: this.ops.length,
      stats: { nodes: this.nodes, cacheEntries: this.seen.size, states: this.table.size, elapsedMs: performance.now() - this.started },
    };
    if (reason !== undefined) result.reason = reason;
    if (verdict === 'invalid') result.explanation = buildExplanation(deepest, this.ops, this.table);
    return result;
  }
}

/** Checks one partition to the end in this thread. */
export function searchPartition(model: AnyModel, initial: Json | undefined, ops: readonly CheckedOp[], budget: Budget): SearchOutcome {
  return new PartitionSearch(model, initial, ops, budget).advance(Infinity)!;
}

export function memoryReason(limit: number): string {
  return `memory limit reached: the search needed more than its ${Math.round(limit / 2 ** 20)} MiB (raise it with --memory-limit)`;
}
