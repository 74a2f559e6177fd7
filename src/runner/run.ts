import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InfrastructureError } from '../errors.js';
import { type HistoryEvent, type Json, type Key, NEMESIS } from '../history/event.js';
import { RandomStreams } from '../generator/random.js';
import type { Completion, GenContext, Generator, GenInstance, OpRequest, Thread } from '../generator/types.js';
import { CoarseDeadlines, Wakeup, bounded, deadline, sleepMs } from './async.js';
import { errorText } from './outcome.js';
import { LeaderWatch } from './leader.js';
import type { Outcome } from './outcome.js';
import { type FaultResult, type Nemesis, type NemesisContext, faultResultJson } from './nemesis.js';
import { type RunOptions, type RunResult, type StopReason, validateRunOptions } from './options.js';
import { Recorder } from './recorder.js';
import { Router } from './router.js';
import { type RunPhase, StatsTracker } from './stats.js';
import { ClientWorker } from './worker.js';

export type { RunOptions, RunResult, StopReason } from './options.js';

/** The nemesis operation that undoes every fault, recorded before the final phase and teardown. */
export const HEAL_ALL = 'heal-all';

/** One phase's loop state: its generator, its bounds, and why it stopped. */
interface Phase {
  gen: GenInstance;
  deadlineMs: number;
  opLimit: number;
  invoked: number;
  stop: StopReason | undefined;
  wake: Wakeup;
}

/**
 * Operations between checks that the event loop has turned, so that timers (history
 * flush, progress, deadlines) run even against an instant client. A client that waits for
 * the network turns it anyway, and then no worker has to wait for a turn of its own.
 */
const YIELD_EVERY = 32;

/**
 * How late past its timeout an operation may be completed as `info`: a tenth of the
 * timeout, between 1 and 100 ms (the coarse timer scans the in-flight deadlines this often).
 */
export function timeoutGranularityMs(opTimeoutMs: number): number {
  return Math.min(100, Math.max(1, opTimeoutMs / 10));
}

/**
 * Runs a test: client workers and the nemesis pull operations from the generator, every
 * invocation and completion is recorded as it happens, faults are healed, the final phase
 * runs, clients are closed. Resolves with the history and counts; checking is the caller's.
 */
export async function runTest(options: RunOptions): Promise<RunResult> {
  validateRunOptions(options);
  return new Run(options).execute();
}

class Run {
  private readonly rec: Recorder;
  private readonly streams: RandomStreams;
  private readonly router: Router;
  private readonly tracker: StatsTracker;
  private readonly workers: ClientWorker[] = [];
  /** The current process id of each worker, kept up to date for the generator's context. */
  private readonly pids: number[] = [];
  private readonly keys = new Set<Key>();
  private readonly closing: Promise<void>[] = [];
  private readonly errors: string[] = [];
  private readonly leader: LeaderWatch;
  private readonly deadlines: CoarseDeadlines;
  private phase: Phase | undefined;
  private readonly context: { -readonly [K in keyof GenContext]: GenContext[K] };
  private phaseName: RunPhase = 'setup';
  private busy = 0;
  /** Set by a setImmediate callback: the event loop has turned since the last check. */
  private turned = true;
  private readonly markTurn = (): void => {
    this.turned = true;
  };
  private interrupted = false;
  /** What broke the run (a history that cannot be written, a loop that threw): it ends as `error`. */
  private failure: { error: unknown } | undefined;
  private healed = false;

  constructor(private readonly o: RunOptions) {
    this.rec = new Recorder(o.sink, (err) => this.fail(err, 'the history could not be written'));
    this.streams = new RandomStreams(o.seed);
    this.router = new Router(o.routing, o.cluster.nodes, this.streams.stream('routing'));
    this.tracker = new StatsTracker(o.cluster.nodes);
    this.leader = new LeaderWatch(o.cluster, o.leaderRefreshMs ?? 1000);
    this.deadlines = new CoarseDeadlines(timeoutGranularityMs(o.opTimeoutMs));
    const rng = this.streams.stream('ops');
    this.context = { nowMs: 0, process: 0, thread: 0, workers: this.pids, busy: 0, rng, streams: this.streams, keys: this.keys };
    for (let t = 0; t < o.concurrency; t++) {
      this.workers.push(new ClientWorker(t, o.openClient, o.classifiers, this.closing, this.deadlines.slot()));
      this.pids.push(t);
    }
  }

  /** Stops the run because something broke; the first failure is the one reported. */
  private fail(error: unknown, what: string): void {
    if (this.failure === undefined) {
      this.failure = { error };
      this.errors.push(`${what}: ${errorText(error)}`);
    }
    this.endPhase('error');
  }

  async execute(): Promise<RunResult> {
    const onAbort = (): void => {
      this.interrupted = true;
      this.endPhase('interrupted');
    };
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    const ticker = this.o.onProgress === undefined ? undefined : setInterval(() => this.report(), this.o.progressIntervalMs ?? 1000);
    ticker?.unref();
    try {
      if (this.o.routing.kind === 'leader') await this.leader.start();
      await this.setupNemesis();
      if (this.o.signal?.aborted === true) onAbort();
      const stopReason = await this.runPhase('main', this.o.generator, this.o.timeLimitMs, this.o.opLimit ?? Infinity, true);
      await this.healOnce();
      let finalPhase: RunResult['finalPhase'] = 'none';
      if (this.o.final !== undefined) {
        const skip = this.interrupted || this.failure !== undefined;
        finalPhase = skip ? 'skipped' : 'ran';
        if (!skip) {
          await sleepMs(this.o.settleMs ?? 0, this.o.signal);
          await this.runPhase('final', this.o.final, this.o.finalTimeLimitMs ?? 60_000, Infinity, false);
        }
      }
      return this.result(this.failure !== undefined ? 'error' : this.interrupted ? 'interrupted' : stopReason, finalPhase);
    } finally {
      // Also after a failure: faults are healed and clients closed, whatever happened; each
      // step on its own, so one that fails cannot skip the next.
      await this.healOnce().catch((err: unknown) => this.errors.push(`healing faults failed: ${errorText(err)}`));
      this.phaseName = 'teardown';
      await this.teardown().catch((err: unknown) => this.errors.push(`closing clients failed: ${errorText(err)}`));
      this.phaseName = 'done';
      if (ticker !== undefined) clearInterval(ticker);
      this.deadlines.stop();
      this.report();
      this.o.signal?.removeEventListener('abort', onAbort);
    }
  }

  private result(stopReason: StopReason, finalPhase: RunResult['finalPhase']): RunResult {
    const durationMs = this.rec.nowMs();
    const log = this.rec.log;
    let history: HistoryEvent[] | undefined;
    return {
      ...(this.failure === undefined ? {} : { failure: this.failure.error }),
      get history() {
        history ??= log.events();
        return history;
      },
      log,
      stopReason,
      finalPhase,
      stats: this.tracker.stats,
      errors: this.errors,
      durationMs,
    };
  }

  private report(): void {
    this.o.onProgress?.(this.tracker.snapshot(this.phaseName, this.rec.nowMs()));
  }

  private async runPhase(name: RunPhase, gen: Generator, timeLimitMs: number, opLimit: number, withNemesis: boolean): Promise<StopReason> {
    const phase: Phase = {
      gen: gen.start(),
      deadlineMs: this.rec.nowMs() + timeLimitMs,
      opLimit,
      invoked: 0,
      stop: this.interrupted ? 'interrupted' : undefined,
      wake: new Wakeup(),
    };
    this.phase = phase;
    this.phaseName = name;
    const loops = this.workers.map((w) => this.clientLoop(w, phase));
    if (withNemesis && this.o.nemesis !== undefined) loops.push(this.nemesisLoop(this.o.nemesis, phase));
    // A loop that throws (a generator bug) stops the others; the run then ends as `error`,
    // healed and torn down like any other, and the caller raises the failure.
    await Promise.all(loops.map((loop) => loop.catch((error: unknown) => this.fail(error, `the ${name} phase failed`))));
    return phase.stop ?? 'exhausted';
  }

  private endPhase(reason: StopReason): void {
    const phase = this.phase;
    if (phase === undefined) return;
    phase.stop ??= reason;
    phase.wake.notify();
  }

  /** The generator's context, refilled in place: asked twice per operation, it costs no object (see GenContext). */
  private ctx(thread: Thread, process: number | typeof NEMESIS, nowMs = this.rec.nowMs()): GenContext {
    const c = this.context;
    c.nowMs = nowMs;
    c.process = process;
    c.thread = thread;
    c.busy = this.busy;
    return c;
  }

  /**
   * Asks the generator: an operation, a delay (ms) to wait before asking again, or
   * `undefined` when this loop should end. Synchronous, and so is everything up to the
   * recording of the invocation: operations are recorded in the order they were generated.
   */
  private ask(phase: Phase, thread: Thread, process: number | typeof NEMESIS): OpRequest | number | undefined {
    if (phase.stop !== undefined) return undefined;
    const now = this.rec.nowMs();
    if (now >= phase.deadlineMs) {
      this.endPhase('time-limit');
      return undefined;
    }
    const answer = phase.gen.next(this.ctx(thread, process, now));
    if (answer.type === 'exhausted') return undefined;
    if (answer.type === 'op') return answer.op;
    return Math.min(answer.untilMs ?? Infinity, phase.deadlineMs) - now;
  }

  private async clientLoop(w: ClientWorker, phase: Phase): Promise<void> {
    let sinceYield = 0;
    for (;;) {
      const op = this.ask(phase, w.thread, w.process);
      if (op === undefined) break;
      if (typeof op === 'number') {
        await phase.wake.wait(op);
        continue;
      }
      if (phase.invoked >= phase.opLimit) {
        this.endPhase('op-limit');
        break;
      }
      phase.invoked++;
      // Inline rather than an async helper: one promise fewer per operation.
      const node = this.invoked(w, op);
      const process = w.process;
      // The invocation's own time reading starts the timeout: one clock read fewer per operation.
      const outcome = await w.call(op, node, this.o.opTimeoutMs, this.rec.lastReading);
      this.completed(w, process, op, node, outcome, phase);
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        if (this.turned) {
          this.turned = false;
          setImmediate(this.markTurn);
        } else await yieldToEventLoop();
      }
    }
    // Whoever leaves may have made the generator exhausted for those still waiting.
    phase.wake.notify();
  }

  /** Routes `op` and records its invocation; returns the node it goes to. */
  private invoked(w: ClientWorker, op: OpRequest): string {
    const node = this.router.pick(w.thread, this.leader.current);
    const key = op.key;
    if (key !== undefined) this.keys.add(key);
    this.rec.add(w.process, 'invoke', op.f, op.value, key, node);
    this.tracker.invoked(node);
    this.busy++;
    return node;
  }

  /** Records `op`'s completion, tells the generator, and retires the process after an `info`. */
  private completed(w: ClientWorker, process: number, op: OpRequest, node: string, outcome: Outcome, phase: Phase): void {
    this.busy--;
    // Jepsen's convention: a completion that is not ok carries the invoked value (what was attempted).
    const value = outcome.type === 'ok' ? outcome.value : op.value;
    const doneNs = this.rec.add(process, outcome.type, op.f, value, op.key, node, outcome.type === 'ok' ? undefined : outcome.error);
    this.tracker.completed(node, outcome.type);
    if (phase.gen.update !== undefined) {
      const completion: Completion =
        outcome.type === 'ok'
          ? { process, thread: w.thread, type: 'ok', op, value }
          : { process, thread: w.thread, type: outcome.type, op, value: null, error: outcome.error };
      phase.gen.update(completion, this.ctx(w.thread, process, doneNs / 1e6));
    }
    if (outcome.type === 'info') {
      w.retire(this.o.concurrency);
      this.pids[w.thread] = w.process;
    }
    phase.wake.notify();
  }

  private nemesisContext(signal: AbortSignal): NemesisContext {
    return {
      nodes: this.o.cluster.nodes,
      leader: (s) => this.o.cluster.leader(s),
      rng: this.streams.stream('faults'),
      signal,
    };
  }

  private async nemesisLoop(nemesis: Nemesis, phase: Phase): Promise<void> {
    for (;;) {
      const op = this.ask(phase, NEMESIS, NEMESIS);
      if (op === undefined) break;
      if (typeof op === 'number') {
        await phase.wake.wait(op);
        continue;
      }
      this.busy++;
      let result: FaultResult | undefined;
      const { value, error } = await this.fault(op.f, op.value, async (ctx) => {
        result = await nemesis.invoke(op, ctx);
        return faultResultJson(result);
      });
      this.busy--;
      this.tracker.fault(result);
      const completion: Completion = { process: NEMESIS, thread: NEMESIS, type: 'info', op, value, ...(error === undefined ? {} : { error }) };
      phase.gen.update?.(completion, this.ctx(NEMESIS, NEMESIS));
      phase.wake.notify();
    }
    phase.wake.notify();
  }

  /** Records a nemesis operation (invoke, then an `info` completion saying what was done), bounded in time. */
  private async fault(f: string, input: Json, act: (ctx: NemesisContext) => Promise<Json>): Promise<{ value: Json; error?: string }> {
    this.rec.record({ process: NEMESIS, type: 'invoke', f, value: input });
    const r = await bounded(this.o.nemesisTimeoutMs ?? 60_000, (signal) => act(this.nemesisContext(signal)));
    if (r.ok) {
      this.rec.record({ process: NEMESIS, type: 'info', f, value: r.value });
      return { value: r.value };
    }
    this.rec.record({ process: NEMESIS, type: 'info', f, value: input, error: r.error });
    return { value: input, error: r.error };
  }

  private async healOnce(): Promise<void> {
    const nemesis = this.o.nemesis;
    if (nemesis === undefined || this.healed) return;
    this.healed = true;
    this.phaseName = 'heal';
    const { error } = await this.fault(HEAL_ALL, null, async (ctx) => (await nemesis.healAll(ctx)).map(faultResultJson));
    this.tracker.fault(undefined);
    if (error === undefined) this.tracker.healed();
    else this.errors.push(`healing faults failed: ${error}`);
  }

  /** A setup that fails is raised (nothing has run yet); one that hangs is an infrastructure failure. */
  private async setupNemesis(): Promise<void> {
    const nemesis = this.o.nemesis;
    if (nemesis?.setup === undefined) return;
    const ms = this.o.nemesisTimeoutMs ?? 60_000;
    const timer = deadline(ms);
    try {
      await timer.race(nemesis.setup(this.nemesisContext(timer.signal)));
    } catch (err) {
      if (timer.signal.aborted) throw new InfrastructureError(`nemesis setup did not finish within ${ms} ms`, 'check that the nodes respond (docker exec)');
      throw err;
    } finally {
      timer.dispose();
    }
  }

  private async teardown(): Promise<void> {
    this.leader.stop();
    for (const w of this.workers) w.closeClients();
    await Promise.all(this.closing);
    const nemesis = this.o.nemesis;
    if (nemesis?.teardown !== undefined) {
      const r = await bounded(this.o.nemesisTimeoutMs ?? 60_000, (signal) => nemesis.teardown?.(this.nemesisContext(signal)) ?? Promise.resolve());
      if (!r.ok) this.errors.push(`nemesis teardown failed: ${r.error}`);
    }
  }
}
