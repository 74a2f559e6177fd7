import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { onInterrupt } from '../../cluster/teardown.js';
import { DEFAULT_STORE } from '../../store/run-dir.js';
import { serveStore } from '../../server/store-server.js';

export const DEFAULT_PORT = 7357;

/** `faultline serve [STORE] [--port N]`: a small results browser on 127.0.0.1, until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('browse a run store on http://127.0.0.1: an index of runs (name, time, verdict) with each report and file')
    .argument('[store]', 'the store directory', DEFAULT_STORE)
    .option('--port <n>', `port on 127.0.0.1 (0: any free one)`, String(DEFAULT_PORT))
    .action(async (store: string, flags: { port: string }) => {
      const server = await serveStore(store, port(flags.port));
      process.stdout.write(`${server.url}\n`);
      process.stderr.write(`serving ${store} on ${server.url} (Ctrl-C to stop)\n`);
      // Runs until SIGINT/SIGTERM: the teardown registry closes the server and exits 130.
      await new Promise<void>(() => {
        onInterrupt('the results server', () => server.close());
      });
    });
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${text} is not a port number`, 'give 0–65535 (0 picks a free port)');
  return n;
}
