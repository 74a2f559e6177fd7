import { interruptProcess } from '../cluster/teardown.js';

type Output = NodeJS.WriteStream;

let guarded = false;

/**
 * When whoever reads our output goes away (`faultline run … 2>&1 | head -5`), every later
 * write to that pipe fails with EPIPE, as an 'error' event. Unhandled, it is an uncaught
 * exception whose handler writes to stderr, which fails again: a loop at 100 % CPU that never
 * reaches teardown. A C tool would die of SIGPIPE; we do what SIGPIPE means, cleanly: stop
 * writing to the stream, and since nobody reads the run any more, stop it as SIGTERM does
 * (heal, check, tear down, exit 130). Any other write error only silences the stream: the
 * output is lost, but the run and its results on disk are not.
 */
export function guardOutputStreams(streams: readonly Output[] = [process.stdout, process.stderr]): void {
  if (guarded) return;
  guarded = true;
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      silence(stream);
      // With `2>&1 |` the other stream has lost its reader too: its next write fails the same way and lands here.
      if (err.code === 'EPIPE') interruptProcess(`the reader of ${stream === process.stdout ? 'stdout' : 'stderr'} went away`);
    });
  }
}

/** Writes become no-ops that still call their callback, so nothing waiting on one hangs. */
function silence(stream: Output): void {
  stream.write = ((...args: unknown[]): boolean => {
    const callback = args.find((a): a is () => void => typeof a === 'function');
    if (callback !== undefined) process.nextTick(callback);
    return true;
  }) as Output['write'];
}
