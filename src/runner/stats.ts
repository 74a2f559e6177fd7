import { describeGrudge } from '../history/faults.js';
import type { FaultResult } from './nemesis.js';

export interface OutcomeCounts {
  ok: number;
  fail: number;
  info: number;
}

type NodeCounts = OutcomeCounts & { invoked: number };

/** Counts for results.json: client operations by outcome, overall and per node. */
export interface RunStats extends OutcomeCounts {
  invoked: number;
  perNode: Record<string, NodeCounts>;
  /** Nemesis operations performed (heal included). */
  faultOps: number;
}

export type RunPhase = 'setup' | 'main' | 'heal' | 'final' | 'teardown' | 'done';

/** A live snapshot for the terminal: what the CLI renders every second. */
export interface Progress extends OutcomeCounts {
  phase: RunPhase;
  elapsedMs: number;
  /** Completions per second since the previous snapshot. */
  opsPerSecond: number;
  invoked: number;
  inFlight: number;
  /** Each fault in effect, with a few words saying what it is (`isolate-one n2 | n1 n3`, `pause n2`). */
  activeFaults: { fault: string; targets: readonly string[]; text: string }[];
}

export class StatsTracker {
  readonly stats: RunStats = { invoked: 0, ok: 0, fail: 0, info: 0, perNode: {}, faultOps: 0 };
  private readonly active = new Map<string, { targets: readonly string[]; text: string }>();
  private lastCompleted = 0;
  private lastAtMs = 0;

  private readonly byNode = new Map<string, NodeCounts>();
  private lastNode: string | undefined;
  private lastCounts: NodeCounts | undefined;

  constructor(nodes: readonly string[]) {
    for (const node of nodes) this.countsOf(node);
  }

  invoked(node: string): void {
    this.stats.invoked++;
    this.countsOf(node).invoked++;
  }

  // Named fields rather than `counts[type]++`: twice per operation, a keyed store costs more than the rest of the bookkeeping.
  completed(node: string, type: keyof OutcomeCounts): void {
    const c = this.countsOf(node);
    if (type === 'ok') {
      this.stats.ok++;
      c.ok++;
    } else if (type === 'fail') {
      this.stats.fail++;
      c.fail++;
    } else {
      this.stats.info++;
      c.info++;
    }
  }

  /** The node's counts (the same object as `stats.perNode[node]`), the last one remembered: routing often repeats a node. */
  private countsOf(node: string): NodeCounts {
    if (node === this.lastNode) return this.lastCounts!;
    let c = this.byNode.get(node);
    if (c === undefined) {
      c = { invoked: 0, ok: 0, fail: 0, info: 0 };
      this.byNode.set(node, c);
      this.stats.perNode[node] = c;
    }
    this.lastNode = node;
    this.lastCounts = c;
    return c;
  }

  fault(result: FaultResult | undefined): void {
    this.stats.faultOps++;
    if (result === undefined) return;
    if (result.active) this.active.set(result.fault, { targets: result.targets, text: faultText(result) });
    else this.active.delete(result.fault);
  }

  healed(): void {
    this.active.clear();
  }

  get inFlight(): number {
    return this.stats.invoked - this.stats.ok - this.stats.fail - this.stats.info;
  }

  snapshot(phase: RunPhase, nowMs: number): Progress {
    const completed = this.stats.ok + this.stats.fail + this.stats.info;
    const dt = nowMs - this.lastAtMs;
    const opsPerSecond = dt > 0 ? ((completed - this.lastCompleted) * 1000) / dt : 0;
    this.lastCompleted = completed;
    this.lastAtMs = nowMs;
    const { ok, fail, info, invoked } = this.stats;
    const activeFaults = [...this.active].map(([fault, a]) => ({ fault, targets: a.targets, text: a.text }));
    return { phase, elapsedMs: nowMs, opsPerSecond, invoked, ok, fail, info, inFlight: this.inFlight, activeFaults };
  }
}

/** A partition by its shape and who can talk to whom; any other fault by its targets. */
function faultText(r: FaultResult): string {
  const d = r.details;
  if (d !== null && typeof d === 'object' && !Array.isArray(d) && typeof d['shape'] === 'string') {
    const grudge = d['grudge'];
    if (grudge !== null && typeof grudge === 'object' && !Array.isArray(grudge)) return `${d['shape']} ${describeGrudge(grudge)}`;
  }
  return `${r.fault} ${r.targets.join(',')}`;
}
