import { type HistoryEvent, type Json, type Key, NEMESIS, type ProcessId } from '../history/event.js';
import { RandomStreams } from './random.js';
import type { Completion, GenContext, Generator, OpRequest, Thread } from './types.js';

export interface SimulateOptions {
  concurrency: number;
  seed: number;
  /** Give the generator a nemesis process too. */
  nemesis?: boolean;
  /** How long an operation takes, in ms (default 1). */
  latencyMs?: (op: OpRequest, process: ProcessId) => number;
  /** How an operation ends (default: ok, value null). */
  outcome?: (op: OpRequest, process: ProcessId) => { type: 'ok' | 'fail' | 'info'; value?: Json };
  /** Stop issuing after this many operations or this much simulated time (defaults: 10 000 ops, 1 h). */
  maxOps?: number;
  maxTimeMs?: number;
}

interface ThreadState {
  thread: Thread;
  process: ProcessId;
  /** When it asks next: a time, Infinity (waiting for a change), or undefined (busy / exhausted). */
  askAt: number | undefined;
  busy?: { op: OpRequest; doneAt: number };
  exhausted: boolean;
}

/**
 * Runs a generator against simulated processes on a virtual clock, with no I/O: what the
 * runner would do if every operation took `latencyMs`. For tests, and for previewing a
 * schedule. Same rules as the runner: pending processes are re-asked when something
 * completes, an `info` retires a process id (the next is id + concurrency), and the
 * simulation ends when every process got "exhausted" or nothing can happen any more.
 */
export function simulate(gen: Generator, options: SimulateOptions): HistoryEvent[] {
  const { concurrency, maxOps = 10_000, maxTimeMs = 3_600_000 } = options;
  const latency = options.latencyMs ?? (() => 1);
  const outcome: NonNullable<SimulateOptions['outcome']> = options.outcome ?? (() => ({ type: 'ok' }));
  const streams = new RandomStreams(options.seed);
  const instance = gen.start();
  const threads: ThreadState[] = [];
  for (let t = 0; t < concurrency; t++) threads.push({ thread: t, process: t, askAt: 0, exhausted: false });
  if (options.nemesis === true) threads.push({ thread: NEMESIS, process: NEMESIS, askAt: 0, exhausted: false });
  const history: HistoryEvent[] = [];
  const keys = new Set<Key>();
  let issued = 0;
  let now = 0;

  const ctxFor = (s: ThreadState): GenContext => ({
    nowMs: now,
    process: s.process,
    thread: s.thread,
    workers: threads.filter((x) => typeof x.thread === 'number').map((x) => x.process as number),
    busy: threads.filter((x) => x.busy !== undefined).length,
    rng: streams.stream('ops'),
    streams,
    keys,
  });
  const record = (s: ThreadState, type: HistoryEvent['type'], op: OpRequest, value: Json): void => {
    const e: HistoryEvent = { index: history.length, time: Math.round(now * 1e6), process: s.process, type, f: op.f, value };
    if (op.key !== undefined) e.key = op.key;
    history.push(e);
  };
  const wakeWaiting = (): void => {
    for (const s of threads) if (s.askAt === Infinity) s.askAt = now;
  };

  // Bounded: a generator that keeps answering "pending until now" cannot hang a test.
  for (let step = 0; step < 1_000_000; step++) {
    const next = Math.min(...threads.map((s) => s.busy?.doneAt ?? s.askAt ?? Infinity));
    if (next === Infinity || next > maxTimeMs) break;
    now = next;
    for (const s of threads) {
      if (s.busy === undefined || s.busy.doneAt > now) continue;
      const { op } = s.busy;
      const end = outcome(op, s.process);
      const value = end.type === 'ok' ? (end.value ?? null) : null;
      record(s, end.type, op, value);
      s.busy = undefined;
      const c: Completion = { process: s.process, thread: s.thread, type: end.type, op, value };
      instance.update?.(c, ctxFor(s));
      if (end.type === 'info' && typeof s.thread === 'number') s.process = (s.process as number) + concurrency;
      s.askAt = now;
      wakeWaiting();
    }
    for (const s of threads) {
      if (s.askAt === undefined || s.askAt > now) continue;
      const answer = issued >= maxOps ? ({ type: 'exhausted' } as const) : instance.next(ctxFor(s));
      if (answer.type === 'exhausted') {
        s.askAt = undefined;
        s.exhausted = true;
        wakeWaiting();
      } else if (answer.type === 'pending') {
        s.askAt = answer.untilMs === undefined ? Infinity : Math.max(answer.untilMs, now);
      } else {
        issued++;
        if (answer.op.key !== undefined) keys.add(answer.op.key);
        record(s, 'invoke', answer.op, answer.op.value);
        s.busy = { op: answer.op, doneAt: now + latency(answer.op, s.process) };
        s.askAt = undefined;
      }
    }
  }
  return history;
}
