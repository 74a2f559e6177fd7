import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SearchOutcome } from './search.js';
import type { WorkerReport, WorkerTask } from './worker.js';

/**
 * A thread's V8 heap (model states); the search's tables are typed arrays outside it,
 * bounded by the memory budget. A thread that still runs out is reported, not fatal.
 */
const WORKER_HEAP_MB = 2048;

/**
 * A worker thread running `worker.js` beside this module. From TypeScript sources (tests
 * under tsx) there is only `worker.ts`, and tsx's loader does not reach worker threads by
 * itself, so the thread registers it first.
 */
function startWorker(): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { resourceLimits });
  const ts = new URL('./worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(code, { eval: true, resourceLimits });
}

/**
 * Runs each task (a batch of partitions) on its own worker thread and reports outcomes as
 * they arrive. With `stopOnInvalid`, the first invalid outcome terminates every thread.
 * A thread that dies (e.g. out of memory despite the budget) leaves its unfinished
 * partitions `unknown`, with the reason.
 */
export async function runInWorkers(tasks: readonly WorkerTask[], report: (index: number, outcome: SearchOutcome) => void): Promise<void> {
  const workers: Worker[] = [];
  let stopped = false;
  const stopAll = (): void => {
    stopped = true;
    for (const w of workers) void w.terminate();
  };
  await Promise.all(
    tasks.map(
      (task) =>
        new Promise<void>((resolve) => {
          const worker = startWorker();
          workers.push(worker);
          const pending = new Set(task.jobs.map((j) => j.index));
          worker.on('message', (msg: WorkerReport | 'done') => {
            if (msg === 'done') {
              void worker.terminate();
              return;
            }
            pending.delete(msg.index);
            report(msg.index, msg.outcome);
            if (task.stopOnInvalid && msg.outcome.verdict === 'invalid') stopAll();
          });
          worker.on('error', (err: Error) => {
            for (const index of pending) {
              report(index, {
                verdict: 'unknown',
                ops: task.jobs.find((j) => j.index === index)!.ops.length,
                reason: `the checker thread stopped: ${err.message}`,
                stats: { nodes: 0, cacheEntries: 0, states: 0, elapsedMs: 0 },
              });
            }
            pending.clear();
          });
          worker.on('exit', () => resolve());
          if (stopped) void worker.terminate();
          else worker.postMessage(task);
        }),
    ),
  );
}
