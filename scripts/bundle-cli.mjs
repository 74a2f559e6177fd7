// Bundles the compiled CLI's check and help path (dist/src) into dist/bundle, run by `npm run
// build` after tsc, so that a `faultline check` or `--help` starts in little more than bare
// Node's time (bin/faultline.js picks it; docs/linearizability.md has the measured gain):
//  - main.cjs: one minified CommonJS file — no ES module graph to resolve, link and evaluate
//    (the loader's per-module cost), less source to read and pre-parse. Faultline's own code
//    and commander (`commanderInside`); other packages stay in node_modules, required at run
//    time. The other commands are left out, imported from dist/src if ever asked for
//    (bin/faultline.js never sends them here).
//  - main.cjs.cache: V8's code cache of main.cjs after a few small commands ran (`--train`
//    below), so the functions a check runs are deserialized instead of compiled (bin/bundle.js).
//  - worker.js: the linearizability worker thread, one ES module file beside main.cjs, where
//    the pool looks for it (`new URL('./worker.js', import.meta.url)`).
// Without esbuild (installed without devDependencies) nothing is made and the CLI runs from
// dist/src, only slower to start.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const main = join(out, 'main.cjs');

async function bundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.warn('bundle-cli: esbuild is not installed; the CLI runs unbundled from dist/src');
    return;
  }
  rmSync(out, { recursive: true, force: true });
  const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
  const [cjs] = (
    await esbuild.build({
      ...common,
      entryPoints: ['dist/src/cli/main.js'],
      outfile: main,
      write: false,
      format: 'cjs',
      // Smaller source is less to read and pre-parse; names kept for errors and stack traces.
      minify: true,
      keepNames: true,
      // The modules find their files (package.json, the worker, packages through createRequire)
      // from their own URL: in one file that is the bundle's.
      define: { 'import.meta.url': '__bundle_url', 'import.meta.resolve': '__bundle_resolve' },
      banner: { js: 'const __bundle_url = require("node:url").pathToFileURL(__filename).href, __bundle_resolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;' },
      plugins: [otherCommandsFromDist, commanderInside],
    })
  ).outputFiles;
  // A script compiled from a code cache loses the main context's `import()` (Node 20 throws
  // ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): every dynamic import left in the bundle (the other
  // commands, plugins, a few built-ins loaded late) goes through the importer bin/bundle.js
  // hands in. A template's `import(${…})` is text for a worker's eval, not a call.
  const source = cjs.text.replace(/(?<![\w$.])import\((?!\$\{)/g, '__bundle_import(');
  // bin/bundle.js reads it as latin1 (no UTF-8 decoding): esbuild escapes non-ASCII by default.
  if (/[^\x00-\x7f]/.test(source)) throw new Error('bundle-cli: main.cjs is not ASCII');
  mkdirSync(out, { recursive: true });
  writeFileSync(main, source);
  await esbuild.build({ ...common, packages: 'external', entryPoints: ['dist/src/checker/linearizability/worker.js'], outfile: join(out, 'worker.js'), format: 'esm' });
  const trained = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train'], { stdio: 'inherit' });
  if (trained.status !== 0) throw new Error(`bundle-cli: making the code cache failed (exit ${trained.status ?? trained.signal})`);
}

/** `import('./commands/run.js')` in cli/main.js → dist/src's module, outside the bundle. */
const otherCommandsFromDist = {
  name: 'other-commands-from-dist',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\// }, (a) =>
      a.importer.endsWith(join('cli', 'main.js')) && a.path !== './commands/check.js' ? { path: `../src/cli/${a.path.slice(2)}`, external: true } : undefined,
    );
  },
};

/**
 * Commander is the one package bundled (compiled from the cache with the rest, not resolved
 * and compiled from node_modules at every start): cli/main.js requires it through
 * createRequire, which esbuild cannot follow, so that call becomes a plain require here. Its
 * `node:child_process` (with net and stream behind it, ~8 ms to load) serves only
 * executable subcommands, which faultline has none of: loaded on first use. Every other
 * package stays in node_modules.
 */
const commanderInside = {
  name: 'commander-inside',
  setup(build) {
    const fromCommander = (a) => /[\\/]node_modules[\\/]commander[\\/]/.test(a.importer);
    build.onResolve({ filter: /^[^./]/ }, (a) => {
      if (a.path === 'node:child_process' && fromCommander(a)) return { path: a.path, namespace: 'lazy-builtin' };
      if (a.path === 'commander' || fromCommander(a)) return undefined;
      return { path: a.path, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(a.path)}))[k] });`,
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]dist[\\/]src[\\/]cli[\\/]main\.js$/ }, async (a) => {
      const call = "createRequire(import.meta.url)('commander')";
      const text = await readFile(a.path, 'utf8');
      if (!text.includes(call)) throw new Error(`bundle-cli: ${a.path} no longer requires commander as ${call}`);
      return { contents: text.replace(call, "require('commander')"), loader: 'js' };
    });
  },
};

/**
 * In a fresh process (the flags a CLI run has: V8 rejects a cache made under others): load
 * the bundle, run the help and small checks of the common kinds with their output dropped,
 * and write what V8 compiled meanwhile. A function no training command ran is compiled
 * lazily at run time, as without a cache.
 */
async function train() {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-train-'));
  try {
    const lines = (events) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    writeFileSync(join(dir, 'register.jsonl'), lines([
      { process: 0, type: 'invoke', f: 'write', value: 1 }, { process: 0, type: 'ok', f: 'write', value: 1 },
      { process: 1, type: 'invoke', f: 'read', value: null }, { process: 1, type: 'ok', f: 'read', value: 2 },
    ]));
    writeFileSync(join(dir, 'txn.jsonl'), lines([
      { process: 0, type: 'invoke', f: 'txn', value: [['append', 1, 1], ['r', 2, null]] }, { process: 0, type: 'ok', f: 'txn', value: [['append', 1, 1], ['r', 2, []]] },
      { process: 1, type: 'invoke', f: 'txn', value: [['append', 2, 1], ['r', 1, null]] }, { process: 1, type: 'ok', f: 'txn', value: [['append', 2, 1], ['r', 1, []]] },
    ]));
    writeFileSync(join(dir, 'queue.jsonl'), lines([
      { process: 0, type: 'invoke', f: 'enqueue', value: 1 }, { process: 0, type: 'ok', f: 'enqueue', value: 1 },
      { process: 1, type: 'invoke', f: 'dequeue', value: null }, { process: 1, type: 'ok', f: 'dequeue', value: 1 },
    ]));
    const runs = [
      ['--help'],
      ['check', '--help'],
      ['check', join(dir, 'register.jsonl'), '--model', 'register', '--workers', '0'],
      ['check', join(dir, 'register.jsonl'), '--model', 'cas-register', '--workers', '0', '--json'],
      ['check', join(dir, 'txn.jsonl'), '--workload', 'list-append'],
      ['check', join(dir, 'queue.jsonl'), '--workload', 'queue'],
    ];
    const { loadBundle } = await import(pathToFileURL(join(root, 'bin', 'bundle.js')).href);
    const { exports, script } = loadBundle(main);
    const write = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = process.stderr.write = () => true;
    try {
      for (const args of runs) await exports.main([process.execPath, 'faultline', ...args]);
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
    }
    process.exitCode = 0;
    writeFileSync(`${main}.cache`, script.createCachedData());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--train') await train();
else await bundle();
