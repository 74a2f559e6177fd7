/**
 * In-memory set, txn and counter capabilities for the workloads' unit tests, with switches
 * that break them the way real systems break: an acknowledged element dropped, an increment
 * applied twice, a node whose transactions read a stale copy. They test the workloads'
 * mapping and checkers, not a database.
 */
import type { Json } from '../../../src/history/event.js';
import type { Capabilities, MicroOp } from '../../../src/runner/capabilities.js';
import { MemoryStore } from './memory-capabilities.js';

export interface DataTypeFaults {
  /** This element is acknowledged but never stored. */
  loseElement?: Json;
  /** Every `n`th counter add is applied twice. */
  doubleCountEvery?: number;
  /** Transactions routed to this node read the lists as they were at the start (writes still apply). */
  staleTxnNode?: string;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 2));

export class MemoryDataStore extends MemoryStore {
  readonly set: Json[] = [];
  readonly lists = new Map<string, Json[]>();
  counter = 0;
  private adds = 0;

  constructor(private readonly faults: DataTypeFaults = {}) {
    super();
  }

  override capabilities(node: string): Capabilities {
    const stale = node === this.faults.staleTxnNode;
    return {
      ...super.capabilities(node),
      set: {
        add: async (element) => {
          await tick();
          if (JSON.stringify(element) !== JSON.stringify(this.faults.loseElement) && !this.set.includes(element)) this.set.push(element);
        },
        read: async () => {
          await tick();
          return [...this.set];
        },
      },
      // Atomic: the whole transaction runs between two awaits.
      txn: {
        run: async (ops: readonly MicroOp[]) => {
          await tick();
          return ops.map(([f, key, value]): MicroOp => {
            const list = this.lists.get(String(key));
            if (f === 'r') return [f, key, stale || list === undefined ? null : [...list]];
            this.lists.set(String(key), [...(list ?? []), value]);
            return [f, key, value];
          });
        },
      },
      counter: {
        add: async (delta) => {
          await tick();
          this.counter += delta;
          this.adds++;
          if (this.faults.doubleCountEvery !== undefined && this.adds % this.faults.doubleCountEvery === 0) this.counter += delta;
        },
        read: async () => {
          await tick();
          return this.counter;
        },
      },
    };
  }
}
