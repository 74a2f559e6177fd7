/**
 * Clean-up that must run when the CLI is interrupted or crashes: SIGINT/SIGTERM run every
 * registered action (bounded in time), then the process exits 130; an uncaught exception or
 * unhandled rejection (a bug, or a client library throwing from an event handler) runs them
 * too, then exits 5. A SIGKILLed process cannot do this; `faultline clean` finds what it left
 * through labels.
 */
/** Why the actions run: Ctrl-C or SIGTERM, or an uncaught error (a bug, or a client library throwing from an event handler). */
export type Interruption = { readonly kind: 'signal'; readonly signal: string } | { readonly kind: 'crash'; readonly error: string };

type Action = (why: Interruption) => Promise<void>;

const actions = new Map<number, { label: string; action: Action }>();
let nextKey = 0;
let installed = false;
let tearingDown = false;

export const TEARDOWN_BUDGET_MS = 60_000;

/**
 * Whether a signal's teardown has begun. The work it interrupts may still fail on its way
 * out (its cluster is being removed under it); the CLI then waits for the exit 130 rather
 * than report that failure as a bug.
 */
export function isTearingDown(): boolean {
  return tearingDown;
}

/** Registers an action; call the returned function to unregister it (when the work is done). */
export function onInterrupt(label: string, action: Action): () => void {
  install();
  const key = nextKey++;
  actions.set(key, { label, action });
  return () => {
    actions.delete(key);
  };
}

/** Runs the registered actions once, newest first; for tests and for the signal handler. */
export async function runTeardown(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`), why: Interruption = { kind: 'signal', signal: 'SIGINT' }): Promise<void> {
  const pending = [...actions.values()].reverse();
  actions.clear();
  const all = Promise.allSettled(
    pending.map(async ({ label, action }) => {
      log(`faultline: ${why.kind === 'crash' ? 'after an internal error' : 'interrupted'}, tearing down ${label}`);
      try {
        await action(why);
      } catch (err) {
        log(`faultline: tearing down ${label} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, TEARDOWN_BUDGET_MS)))]);
  clearTimeout(timer);
}

/**
 * Ends the process as a first SIGTERM does: every registered action runs (a run stops, heals,
 * is checked and torn down), then exit 130. For causes other than a signal, such as the
 * reader of our output going away; a no-op when teardown has already begun.
 */
export function interruptProcess(reason: string): void {
  if (tearingDown) return;
  tearingDown = true;
  process.stderr.write(`faultline: ${reason}, stopping\n`);
  void runTeardown(undefined, { kind: 'signal', signal: reason }).finally(() => process.exit(130));
}

function install(): void {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals): void => {
    if (tearingDown) {
      process.stderr.write(`faultline: ${signal} again, exiting without finishing teardown (run \`faultline clean\`)\n`);
      process.exit(130);
    }
    tearingDown = true;
    void runTeardown(undefined, { kind: 'signal', signal }).finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const crash = (err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error && process.env['FAULTLINE_DEBUG'] !== undefined ? `\n${err.stack ?? ''}` : '';
    process.stderr.write(`faultline: internal error (crash): ${message}${stack}\n`);
    if (tearingDown) return;
    tearingDown = true;
    // 5 = ExitCode.Internal; not imported, to keep this module free of the CLI.
    void runTeardown(undefined, { kind: 'crash', error: message }).finally(() => process.exit(5));
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
