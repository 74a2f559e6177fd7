import { UsageError } from '../src/errors.js';
import { appendWorkload } from './append.js';
import { bankWorkload } from './bank.js';
import { electionWorkload } from './election.js';
import { queueWorkload } from './queue.js';
import { streamQueueWorkload } from './stream-queue.js';
import { counterWorkload } from './counter.js';
import { lockFencedWorkload, lockRmwWorkload, lockWorkload } from './lock.js';
import { registerWorkload } from './register.js';
import { registerWatchedWorkload } from './register-watched.js';
import { setWorkload } from './set.js';
import { watchWorkload } from './watch.js';
import type { Workload } from './workload.js';

export type { CheckResult, Workload, WorkloadOptions } from './workload.js';

/** Every workload `faultline run` can drive, by the name users type. */
export const workloads: ReadonlyMap<string, Workload> = new Map([registerWorkload, registerWatchedWorkload, lockWorkload, lockRmwWorkload, lockFencedWorkload, setWorkload, appendWorkload, counterWorkload, bankWorkload, queueWorkload, streamQueueWorkload, watchWorkload, electionWorkload].map((w) => [w.name, w]));

export function workloadNamed(name: string): Workload {
  const w = workloads.get(name);
  if (w === undefined) throw new UsageError(`unknown workload "${name}"`, `choose one of: ${[...workloads.keys()].join(', ')}`);
  return w;
}
