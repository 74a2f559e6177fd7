import type { Json } from '../src/history/event.js';
import { type Generator, generator, pendingUntil } from '../src/generator/types.js';
import type { FaultResult, Nemesis, NemesisContext } from '../src/runner/nemesis.js';
import { sleepMs } from '../src/runner/async.js';

/** What a paused process was doing when it stalled, and until when (generator time, ms). */
interface Stall {
  readonly process: number;
  readonly after: string;
  readonly fromMs: number;
  readonly untilMs: number;
  /** The client process frozen for the stall, when clients run in processes of their own. */
  readonly frozenPid?: number;
}

/**
 * How a stall freezes a worker's whole client — connections, session heartbeats, lease
 * keep-alives, timers — as a GC pause or a stopped VM would: ClientHosts' SIGSTOP/SIGCONT.
 * Without it a stall only holds the worker's next operation back, and a client library
 * that heartbeats in the background keeps its session alive through the "pause".
 */
export interface ClientFreezer {
  /** Freezes the worker's client process; its pid, or undefined when there is none to freeze. */
  freeze(thread: number): number | undefined;
  thaw(thread: number): void;
}

/**
 * Where the client-pause nemesis and the client generator meet. The nemesis arms it ("the
 * next process that completes `trigger` ok stalls for D ms"); the generator, wrapped by
 * `pausable`, sees the completion and holds that worker's next operation back, exactly as a
 * long GC pause between two calls would. Nothing here touches the database.
 */
export class PauseBoard {
  private armed: number | undefined;
  private readonly stalls = new Map<number, Stall>();
  private readonly waiters: ((s: Stall & { thread: number }) => void)[] = [];

  /** `trigger`: the operation after whose ok completion a pause may begin (`acquire` for locks); undefined: after any ok. */
  constructor(
    readonly trigger: string | undefined,
    readonly freezer?: ClientFreezer,
  ) {}

  /** Arms one pause of `durationMs`; resolves with the stall once a worker has entered it. */
  arm(durationMs: number): Promise<Stall & { thread: number }> {
    this.armed = durationMs;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called by the generator after a completion; starts the armed pause on this thread if it fits. */
  completed(thread: number, process: number, f: string, ok: boolean, nowMs: number): void {
    if (this.armed === undefined || !ok || (this.trigger !== undefined && f !== this.trigger)) return;
    const frozenPid = this.freezer?.freeze(thread);
    const stall: Stall = { process, after: f, fromMs: nowMs, untilMs: nowMs + this.armed, ...(frozenPid === undefined ? {} : { frozenPid }) };
    this.armed = undefined;
    this.stalls.set(thread, stall);
    for (const w of this.waiters.splice(0)) w({ ...stall, thread });
  }

  /** Until when this thread is stalled, if it is. */
  stalledUntil(thread: number, nowMs: number): number | undefined {
    const s = this.stalls.get(thread);
    if (s === undefined) return undefined;
    if (nowMs >= s.untilMs) {
      this.release(thread);
      return undefined;
    }
    return s.untilMs;
  }

  /** Ends this thread's pause; whether it was still stalled. */
  release(thread: number): boolean {
    const stalled = this.stalls.delete(thread);
    if (stalled) this.freezer?.thaw(thread);
    return stalled;
  }

  /** Ends every pause and disarms: no worker stays stalled after this. */
  releaseAll(): number[] {
    this.armed = undefined;
    this.waiters.length = 0;
    const threads = [...this.stalls.keys()];
    for (const thread of threads) this.release(thread);
    return threads;
  }

  get stalledThreads(): number {
    return this.stalls.size;
  }
}

/** `gen`, with each client worker held back while the board stalls it. */
export function pausable(gen: Generator, board: PauseBoard): Generator {
  return generator(() => {
    const inner = gen.start();
    return {
      next(ctx) {
        if (typeof ctx.thread === 'number') {
          const until = board.stalledUntil(ctx.thread, ctx.nowMs);
          if (until !== undefined) return pendingUntil(until);
        }
        return inner.next(ctx);
      },
      update(c, ctx) {
        inner.update?.(c, ctx);
        if (typeof c.thread === 'number' && typeof c.process === 'number') board.completed(c.thread, c.process, c.op.f, c.type === 'ok', ctx.nowMs);
      },
    };
  });
}

/** How long a start waits for a worker to reach the trigger before giving up (the fault is then not applied). */
const ARM_WAIT_MS = 10_000;

/**
 * `start-client-pause` (value: the pause in ms) stalls the next client process that completes
 * the trigger operation, for that long, and completes when the pause is over, saying which
 * process, after what, and for how long. `stop-client-pause` and healing (also on Ctrl-C,
 * which aborts the wait) release every stalled process.
 */
export function clientPauseNemesis(board: PauseBoard): Nemesis {
  const release = (): FaultResult => ({ fault: 'client-pause', active: false, targets: [], details: { released: board.releaseAll().map((t) => `worker ${t}`) } });
  return {
    async invoke(op, ctx: NemesisContext) {
      if (op.f === 'stop-client-pause') return release();
      const durationMs = typeof op.value === 'number' ? op.value : Number(op.value);
      if (!Number.isFinite(durationMs) || durationMs <= 0) throw new Error(`client-pause: the pause must be a positive number of ms, got ${JSON.stringify(op.value)}`);
      const armed = board.arm(durationMs);
      const wait = Math.min(ARM_WAIT_MS, durationMs * 5);
      const stall = await Promise.race([
      armed,
      sleepMs(wait, ctx.signal).then(
        () => undefined,
        () => undefined,
      ),
    ]);
      if (stall === undefined) {
        board.releaseAll();
        const details: Json = { applied: false, reason: `no process completed ${board.trigger ?? 'an operation'} ok within ${wait} ms`, durationMs };
        return { fault: 'client-pause', active: false, targets: [], details };
      }
      // The operation lasts as long as the pause, so the history shows it from start to end
      // and a `stop-client-pause` soon after cannot cut it short.
      await sleepMs(durationMs, ctx.signal).catch(() => undefined);
      board.release(stall.thread);
      const how =
        stall.frozenPid === undefined
          ? "operations held back; the client's connections kept running"
          : `SIGSTOP of the worker's client process (pid ${stall.frozenPid}): connections, heartbeats and timers froze`;
      const details: Json = { applied: true, process: stall.process, worker: stall.thread, after: stall.after, durationMs, how };
      return { fault: 'client-pause', active: false, targets: [`process ${stall.process}`], details };
    },
    healAll: async () => [release()],
  };
}
