import { parentPort } from 'node:worker_threads';
import type { Json } from '../../history/event.js';
import { getModel } from './models/index.js';
import { type PartitionJob, runRoundRobin } from './schedule.js';
import type { Budget, SearchOutcome } from './search.js';

/** A batch of partitions for one worker thread (structured-cloneable). */
export interface WorkerTask {
  model: string;
  init: Json | undefined;
  jobs: PartitionJob[];
  budget: Budget;
  stopOnInvalid: boolean;
}

export interface WorkerReport {
  index: number;
  outcome: SearchOutcome;
}

// The same scheduler and search as in-process; the worker only moves data across threads.
parentPort?.once('message', (task: WorkerTask) => {
  runRoundRobin(getModel(task.model), task.init, task.jobs, task.budget, task.stopOnInvalid, (index, outcome) => {
    parentPort!.postMessage({ index, outcome } satisfies WorkerReport);
  });
  parentPort!.postMessage('done');
});
