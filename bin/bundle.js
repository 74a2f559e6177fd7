// Loads the check/help bundle (dist/bundle/main.cjs, made by scripts/bundle-cli.mjs) through
// V8's code cache. Node 20 has no module compile cache (22's `module.enableCompileCache`), and
// parsing and compiling the bundle's functions was most of what a small `check` cost above
// bare Node; compiled once at build time (the cache file beside the bundle), a run
// deserializes them instead. The cache is only read here, never written: an installed
// package may be read-only, and two CLIs starting at once must not race on it. V8 refuses a
// cache made by another V8 version or under other flags (`cachedDataRejected`): then it
// compiles, as without a cache — slower, never different.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

/**
 * Runs the CommonJS bundle `file` as `require` would, compiled with `file + '.cache'` when
 * that exists. Returns its exports and the compiled script (`createCachedData` for the build).
 */
exports.loadBundle = function loadBundle(file) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // No cache (removed, or a build that could not make one): compile as usual.
  }
  // Module.wrap's parameters plus the bundle's `import()` (scripts/bundle-cli.mjs): in code
  // compiled from a cache it has no loader to ask. Relative specifiers are the bundle's (the
  // commands it leaves to dist/src); bare ones resolve from bin/ as from dist/: one node_modules.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __bundle_import) {${readFileSync(file, 'latin1')}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} };
  const importer = (specifier) => import(specifier.startsWith('.') ? pathToFileURL(resolve(dirname(file), specifier)).href : specifier);
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file), importer);
  return { exports: module.exports, script };
};
