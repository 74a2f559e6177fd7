import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { LOG_MODULES } from './module-log.js';

/**
 * bin/faultline.js runs `check` and the help from dist/bundle (scripts/bundle-cli.mjs: one
 * CommonJS file and V8's code cache of it, loaded by bin/bundle.js) when it is there and not
 * older than dist/src, everything else from dist/src. The real bundle (made by `npm run
 * build`) must give what dist/src gives, worker threads included.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const realBin = join(root, 'bin', 'faultline.js');
const bundle = join(root, 'dist', 'bundle', 'main.cjs');
const built = existsSync(bundle);

const lines = (events: object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';


describe('the bundled CLI', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-bundle-'));
    // Three keys, the third read a value nobody wrote: invalid, and split over two threads.
    const events: object[] = [];
    for (let k = 0; k < 3; k++) {
      events.push({ process: k, type: 'invoke', f: 'write', value: 1, key: `k${k}` }, { process: k, type: 'ok', f: 'write', value: 1, key: `k${k}` });
      events.push({ process: k + 5, type: 'invoke', f: 'read', value: null, key: `k${k}` }, { process: k + 5, type: 'ok', f: 'read', value: k === 2 ? 7 : 1, key: `k${k}` });
    }
    await writeFile(join(dir, 'kv.jsonl'), lines(events));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a check from dist/bundle, worker threads too, printing what dist/src prints', { skip: built ? false : 'no dist/bundle (esbuild not installed)' }, async () => {
    const args = ['check', join(dir, 'kv.jsonl'), '--model', 'register', '--workers', '2', '--all-partitions', '--json'];
    const bundled = await execa(process.execPath, [realBin, ...args], { reject: false });
    // The same CLI from dist/src, from a script file (an --eval's flags would pass on to the threads).
    const unbundled = join(dir, 'unbundled.mjs');
    await writeFile(unbundled, `const m = await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'src', 'cli', 'main.js')).href)});\nprocess.exitCode = await m.main(process.argv);\n`);
    const compiled = await execa(process.execPath, [unbundled, ...args], { reject: false });
    assert.equal(bundled.exitCode, 1, bundled.stderr);
    assert.equal(compiled.exitCode, 1, compiled.stderr);
    const strip = (out: string): unknown => JSON.parse(out, (k, v: unknown) => (k === 'elapsedMs' || k === 'ms' || k === 'elapsed' ? 0 : v));
    assert.deepEqual(strip(bundled.stdout), strip(compiled.stdout));
    // Which modules a (thread-less) check loads: the bundle's loader, none of dist/src.
    const log = join(dir, 'modules.log');
    await writeFile(log, '');
    const logged = await execa(process.execPath, ['--import', LOG_MODULES, realBin, 'check', join(dir, 'kv.jsonl'), '--model', 'register', '--workers', '0'], { reject: false, env: { FAULTLINE_MODULE_LOG: log } });
    assert.equal(logged.exitCode, 1, logged.stderr);
    const modules = (await readFile(log, 'utf8')).split('\n');
    assert.ok(modules.some((m) => m.endsWith('/bin/bundle.js')), 'the bundle was loaded');
    // What the check does not run stays unloaded: the clients of Docker and the databases are not loaded (test/unit/cli/startup-modules.test.ts for dist/src).
    const clients = modules.filter((m) => /node_modules\/(dockerode|docker-modem|ioredis|etcd3|@grpc|consul|node-zookeeper-client|ssh2|execa|ora|zod|yaml|cockatiel)\//.test(m));
    assert.deepEqual(clients, []);
    assert.ok(!modules.some((m) => m.includes('/dist/src/')), `nothing from dist/src: ${modules.filter((m) => m.includes('/dist/src/')).join(', ')}`);
  });

  it('compiles the bundle from its code cache, and its import() of what it leaves out works', { skip: built ? false : 'no dist/bundle (esbuild not installed)' }, async () => {
    // A fresh process has the flags of a CLI run (V8 refuses a cache made under other flags).
    // `help run` makes the bundle import the run command's module from dist/src: a script
    // compiled from a cache has no loader for import(), the bundle's importer must do it.
    const script = `const { loadBundle } = require(${JSON.stringify(join(root, 'bin', 'bundle.js'))});
const { exports, script } = loadBundle(${JSON.stringify(bundle)});
exports.buildProgram(['node', 'faultline', 'help', 'run']).then((p) => {
  console.log(JSON.stringify({ rejected: script.cachedDataRejected, runOptions: p.commands.find((c) => c.name() === 'run').options.length }));
});`;
    const r = await execa(process.execPath, ['-e', script], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const { rejected, runOptions } = JSON.parse(r.stdout) as { rejected: boolean; runOptions: number };
    assert.equal(rejected, false, 'V8 accepted the code cache');
    assert.ok(runOptions > 10, `the run command registered its options (${runOptions})`);
    assert.equal(r.stderr, '', 'no warning');
  });

  describe('bin/faultline.js picks', () => {
    // A copy of the bin beside a dist whose src is the real one and whose bundle is a stand-in
    // exiting 42, so the choice shows in the exit code.
    let fake = '';
    const bin = (): string => join(fake, 'bin', 'faultline.js');
    before(async () => {
      fake = await mkdtemp(join(tmpdir(), 'faultline-bin-'));
      await mkdir(join(fake, 'bin'));
      await mkdir(join(fake, 'dist', 'bundle'), { recursive: true });
      await copyFile(realBin, bin());
      await symlink(join(root, 'dist', 'src'), join(fake, 'dist', 'src'));
      await writeFile(join(fake, 'bin', 'package.json'), await readFile(join(root, 'bin', 'package.json')));
      await copyFile(join(root, 'bin', 'bundle.js'), join(fake, 'bin', 'bundle.js'));
      await writeFile(join(fake, 'dist', 'bundle', 'main.cjs'), 'exports.main = async () => 42;\n');
    });
    after(async () => {
      await rm(fake, { recursive: true, force: true });
    });

    it('the bundle for check and the help, dist/src for the other commands', async () => {
      for (const args of [['check', join(dir, 'kv.jsonl'), '--model', 'register'], ['--help'], ['help'], ['help', 'check'], ['-V'], []]) {
        assert.equal((await execa(process.execPath, [bin(), ...args], { reject: false })).exitCode, 42, args.join(' '));
      }
      // The help of a command the bundle leaves out comes from dist/src.
      const helpRun = await execa(process.execPath, [bin(), 'help', 'run'], { reject: false });
      assert.equal(helpRun.exitCode, 0, helpRun.stderr);
      assert.match(helpRun.stdout, /Usage: faultline run/);
      const other = await execa(process.execPath, [bin(), 'report', join(dir, 'no-such-run')], { reject: false });
      assert.equal(other.exitCode, 3, other.stderr);
      // A run directory is judged through its plan (its plugins import dist/src): unbundled, so
      // not 42 — a folder that is no run exits 3.
      const runDir = await execa(process.execPath, [bin(), 'check', dir], { reject: false });
      assert.equal(runDir.exitCode, 3, runDir.stderr);
    });

    it('dist/src when the bundle is older than dist/src (a tsc run after the build)', async () => {
      await utimes(join(fake, 'dist', 'bundle', 'main.cjs'), new Date(0), new Date(0));
      const r = await execa(process.execPath, [bin(), 'check', join(dir, 'kv.jsonl'), '--model', 'register', '--workers', '0'], { reject: false });
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.stdout, /NOT linearizable/);
    });

    it('dist/src when there is no bundle', async () => {
      await rm(join(fake, 'dist', 'bundle'), { recursive: true, force: true });
      const r = await execa(process.execPath, [bin(), '--help'], { reject: false });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /Usage: faultline/);
    });
  });
});
