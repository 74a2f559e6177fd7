#!/usr/bin/env node
// The executable shim: the CLI lives in the compiled sources (built by `npm ci` through `prepare`).
import { statSync } from 'node:fs';

const main = await loadMain(process.argv[2]);
const code = await main(process.argv);
process.exitCode = code;
// The command is done and has closed what it opened; a client library may still hold on to
// something it cannot be made to drop (a TCP connect to a node that died, which the kernel
// abandons only after ~2 minutes). Once stdout and stderr are flushed, nothing is left to wait for.
const flushed = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

/**
 * `check` and the help run from dist/bundle (scripts/bundle-cli.mjs; 15-50 ms less start-up
 * CPU) when `npm run build` made it and no later tsc run left it stale; everything else, and
 * every command when the bundle is missing, from dist/src. The other commands stay unbundled
 * because they locate files next to their modules (the client host's child script, the
 * client module a run hands to it), which a bundle moves.
 */
async function loadMain(command) {
  // `check RUN_DIR` judges a run again through its plan, which may load the run's plugins; they
  // import faultline from dist/src, and one copy of its classes (errors caught by `instanceof`)
  // must serve both: unbundled.
  const runDir = command === 'check' && process.argv.slice(3).some((a) => !a.startsWith('-') && statSync(a, { throwIfNoEntry: false })?.isDirectory() === true);
  const bundled = command === undefined || ['help', '--help', '-h', '--version', '-V'].includes(command) || (command === 'check' && !runDir);
  if (bundled) {
    const bundle = new URL('../dist/bundle/main.js', import.meta.url);
    const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
    const b = statSync(bundle, { throwIfNoEntry: false });
    const c = statSync(compiled, { throwIfNoEntry: false });
    if (b !== undefined && (c === undefined || b.mtimeMs >= c.mtimeMs)) return (await import(bundle.href)).main;
  }
  return (await import('../dist/src/cli/main.js')).main;
}
