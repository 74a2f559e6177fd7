// Bundles the compiled CLI (dist/src) into dist/bundle, run by `npm run build` after tsc: a
// `faultline check` or `--help` then reads a few files instead of resolving, reading and
// compiling ~75 separate modules (Node 20 has no module compile cache; docs/linearizability.md
// has the measured gain). Only faultline's own code is bundled; packages stay in node_modules
// (imported at run time as before). Dynamic imports become chunks, so a command still loads
// only what it uses. bin/faultline.js falls back to dist/src when the bundle is missing.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Installed without devDependencies: the CLI runs from dist/src, only slower to start.
  console.warn('bundle-cli: esbuild is not installed; the CLI runs unbundled from dist/src');
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['dist/src/cli/main.js', 'dist/src/checker/linearizability/worker.js'],
  bundle: true,
  splitting: true,
  packages: 'external',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  // Flat: every chunk sits next to worker.js, so `new URL('./worker.js', import.meta.url)`
  // in the linearizability pool finds the bundled worker from whichever chunk holds the pool.
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
