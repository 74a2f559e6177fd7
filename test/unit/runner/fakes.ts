/**
 * In-memory stand-ins for the runner's tests: a linearizable register (each operation
 * takes effect atomically at one instant inside its latency), and a nemesis that only
 * remembers what it was asked. They test the runner's logic, not a database.
 */
import type { Json, Key } from '../../../src/history/event.js';
import { RandomStreams } from '../../../src/generator/random.js';
import type { OpRequest } from '../../../src/generator/types.js';
import type { Client, ClusterView, OpenClient } from '../../../src/runner/client.js';
import type { FaultResult, Nemesis } from '../../../src/runner/nemesis.js';
import { DefiniteFailure, type Outcome } from '../../../src/runner/outcome.js';

export const NODES = ['n1', 'n2', 'n3'] as const;

export function cluster(leader?: string): ClusterView {
  return { nodes: NODES, leader: async () => leader };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export interface RegisterOptions {
  /** Latency of each operation in ms, drawn uniformly from [0, maxLatencyMs]. */
  maxLatencyMs?: number;
  /** Operations that never answer (until the runner's timeout aborts them). */
  hangs?: (op: OpRequest, node: string) => boolean;
  seed?: number;
}

/** A shared in-memory register store; `open` hands out clients bound to a node. */
export class MemoryRegister {
  readonly values = new Map<Key, Json>();
  readonly opened: { node: string; process: number }[] = [];
  closed = 0;
  private readonly rng;

  constructor(private readonly options: RegisterOptions = {}) {
    this.rng = new RandomStreams(options.seed ?? 1).stream('latency');
  }

  readonly open: OpenClient = async (node, process) => {
    this.opened.push({ node, process });
    const client: Client = {
      node,
      invoke: (op, signal) => this.invoke(op, node, signal),
      close: async () => {
        this.closed++;
      },
    };
    return client;
  };

  private async invoke(op: OpRequest, node: string, signal: AbortSignal): Promise<Outcome> {
    if (this.options.hangs?.(op, node) === true) {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      throw new Error('aborted');
    }
    const max = this.options.maxLatencyMs ?? 2;
    await sleep(this.rng.float() * max, signal);
    const key = op.key ?? 'k';
    const current = this.values.get(key) ?? null;
    switch (op.f) {
      case 'read':
        return { type: 'ok', value: current };
      case 'write':
        this.values.set(key, op.value);
        return { type: 'ok', value: op.value };
      case 'cas': {
        const [expected, next] = op.value as [Json, Json];
        if (current !== expected) throw new DefiniteFailure('cas-mismatch');
        this.values.set(key, next);
        return { type: 'ok', value: op.value };
      }
      default:
        throw new Error(`unknown f ${op.f}`);
    }
  }
}

/** Remembers faults; "partition" targets the first node, like a real one would name its targets. */
export class RecordingNemesis implements Nemesis {
  readonly calls: string[] = [];
  active = false;

  async setup(): Promise<void> {
    this.calls.push('setup');
  }

  async invoke(op: OpRequest): Promise<FaultResult> {
    this.calls.push(op.f);
    await new Promise((r) => setTimeout(r, 2));
    this.active = op.f.startsWith('start');
    return { fault: 'partition', active: this.active, targets: ['n1'], details: { grudge: { n1: ['n2', 'n3'] } } };
  }

  async healAll(): Promise<FaultResult[]> {
    this.calls.push('heal-all');
    this.active = false;
    return [{ fault: 'partition', active: false, targets: [...NODES] }];
  }

  async teardown(): Promise<void> {
    this.calls.push('teardown');
  }
}
