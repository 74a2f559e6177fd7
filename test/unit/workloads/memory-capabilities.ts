/**
 * In-memory register and lock capabilities for the workloads' unit tests, with switches that
 * break them the way real systems break: stale reads from one node, a lock that grants
 * everyone. They test the workloads' mapping and checkers, not a database.
 */
import type { Json, Key } from '../../../src/history/event.js';
import type { Capabilities, ElectionCapability, ElectionTerm, LockCapability, RegisterCapability } from '../../../src/runner/capabilities.js';
import type { Client, OpenClient } from '../../../src/runner/client.js';
import { runTest, type RunResult } from '../../../src/runner/run.js';
import { classifyError, DefiniteFailure } from '../../../src/runner/outcome.js';
import type { Workload, WorkloadOptions } from '../../../workloads/workload.js';

export interface MemoryOptions {
  /** Reads on this node see the state as it was at the start (a cut-off follower). */
  staleNode?: string;
  /** acquire always succeeds, even when the lock is held. */
  brokenLock?: boolean;
  /** campaign wins at once, even while another leads. */
  brokenElection?: boolean;
  /** observe answers with the first leader there ever was. */
  staleObserve?: boolean;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 2));

export class MemoryStore {
  readonly values = new Map<Key, Json>();
  private holder: { token: string; until: number } | undefined;
  private tokens = 0;
  private leader: ElectionTerm | undefined;
  private firstLeader: ElectionTerm | undefined;

  constructor(private readonly options: MemoryOptions = {}) {}

  capabilities(node: string): Capabilities {
    const values = this.values;
    const stale = node === this.options.staleNode;
    const register: RegisterCapability = {
      async read(key) {
        await tick();
        return stale ? null : (values.get(key) ?? null);
      },
      async write(key, value) {
        await tick();
        values.set(key, value);
      },
      async cas(key, expected, next) {
        await tick();
        if (JSON.stringify(values.get(key) ?? null) !== JSON.stringify(expected)) return false;
        values.set(key, next);
        return true;
      },
    };
    const lock: LockCapability = {
      acquire: async (_name, ttlMs) => {
        await tick();
        if (this.holder !== undefined && this.holder.until > Date.now() && this.options.brokenLock !== true) throw new DefiniteFailure('lock-held');
        const fence = ++this.tokens;
        const token = `t${fence}`;
        this.holder = { token, until: Date.now() + ttlMs };
        return { token, fence };
      },
      release: async (_name, token) => {
        await tick();
        if (this.holder?.token !== token) return 'lost';
        this.holder = undefined;
        return 'released';
      },
    };
    const election: ElectionCapability = {
      campaign: async (_name, candidate, _ttlMs, { signal }) => {
        for (;;) {
          await tick();
          if (signal.aborted) throw new Error('aborted');
          if (this.leader === undefined || this.options.brokenElection === true) {
            this.leader = { leader: candidate, term: `t${++this.tokens}` };
            this.firstLeader ??= this.leader;
            return this.leader;
          }
        }
      },
      resign: async (_name, term) => {
        await tick();
        if (this.leader?.term !== term.term) return 'lost';
        this.leader = undefined;
        return 'released';
      },
      observe: async () => {
        await tick();
        return (this.options.staleObserve === true ? this.firstLeader : this.leader) ?? null;
      },
    };
    return { register, lock, election };
  }

  /** Clients as the orchestrator builds them: the workload's mapping over this store's capabilities. */
  openClient(workload: Workload, options: WorkloadOptions): OpenClient {
    return async (node): Promise<Client> => {
      const caps = this.capabilities(node);
      return {
        node,
        invoke: (op, signal) => workload.invoke(caps, op, { signal }, options).catch((err: unknown) => classifyError(err)),
        close: async () => undefined,
      };
    };
  }
}

export const OPTIONS: WorkloadOptions = { opsPerKey: 40, threadsPerKey: 2, opIntervalMs: 1, lockTtlMs: 10_000, checkTimeLimitMs: 20_000 };

/** Runs a workload through the real runner against the store, for `ms` milliseconds. */
export function runAgainst(workload: Workload, store: MemoryStore, ms = 300, options = OPTIONS): Promise<RunResult> {
  const final = workload.final(options);
  return runTest({
    seed: 7,
    concurrency: 6,
    cluster: { nodes: ['n1', 'n2', 'n3'], leader: async () => undefined },
    routing: { kind: 'random' },
    openClient: store.openClient(workload, options),
    generator: workload.generator(options),
    ...(final === undefined ? {} : { final }),
    opTimeoutMs: 1_000,
    timeLimitMs: ms,
  });
}
