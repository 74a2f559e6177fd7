#!/usr/bin/env node
// The executable shim: the CLI lives in the compiled sources (built by `npm ci` through
// `prepare`). CommonJS (bin/package.json), so that a check served by the bundle never starts
// the ES module loader.
const { statSync } = require('node:fs');
const { join } = require('node:path');

void (async () => {
  const main = await loadMain(process.argv[2]);
  const code = await main(process.argv);
  process.exitCode = code;
  // The command is done and has closed what it opened; a client library may still hold on to
  // something it cannot be made to drop (a TCP connect to a node that died, which the kernel
  // abandons only after ~2 minutes). Once stdout and stderr are flushed, nothing is left to wait for.
  const flushed = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
})();

/**
 * `check` and the help run from dist/bundle (scripts/bundle-cli.mjs: one CommonJS file
 * compiled from V8's code cache, bin/bundle.js; ~70 ms less start-up CPU) when `npm run
 * build` made it and no later tsc run left it stale; everything else, and every command when
 * the bundle is missing, from dist/src. The other commands stay unbundled because they locate
 * files next to their modules (the client host's child script, the client module a run hands
 * to it), which a bundle moves; the bundle leaves them out (its help names them only).
 */
async function loadMain(command) {
  const args = process.argv.slice(3);
  // `check RUN_DIR` judges a run again through its plan, which may load the run's plugins; they
  // import faultline from dist/src, and one copy of its classes (errors caught by `instanceof`)
  // must serve both: unbundled.
  const runDir = command === 'check' && args.some((a) => !a.startsWith('-') && statSync(a, { throwIfNoEntry: false })?.isDirectory() === true);
  const help = command === undefined || ['--help', '-h', '--version', '-V'].includes(command) || (command === 'help' && [undefined, 'check'].includes(args[0]));
  if (help || (command === 'check' && !runDir)) {
    const bundle = join(__dirname, '..', 'dist', 'bundle', 'main.cjs');
    const b = statSync(bundle, { throwIfNoEntry: false });
    const c = statSync(join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'), { throwIfNoEntry: false });
    if (b !== undefined && (c === undefined || b.mtimeMs >= c.mtimeMs)) return require('./bundle.js').loadBundle(bundle).exports.main;
  }
  return (await import('../dist/src/cli/main.js')).main;
}
