import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { LOG_MODULES } from './module-log.js';

/**
 * What a small `faultline check` or `--help` loads (the start-up cost, docs/run.md): not the
 * Docker client, the database clients, the report, campaigns or the runner. Not a timing:
 * the child records every module it loads — ES modules through a resolve hook, CommonJS
 * ones from the require cache — and the test asserts on the set.
 */
const mainModule = new URL('../../../src/cli/main.js', import.meta.url).href;
const extension = existsSync(fileURLToPath(mainModule)) ? '.js' : '.ts';


async function loadedBy(log: string, ...args: string[]): Promise<{ code: number; modules: string[] }> {
  const script = `import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const m = await import(${JSON.stringify(mainModule.replace(/\.js$/, extension))});
process.exitCode = await m.main(process.argv);
appendFileSync(process.env.FAULTLINE_MODULE_LOG, Object.keys(createRequire(process.cwd() + '/').cache).join('\\n') + '\\n');`;
  await writeFile(log, '');
  const r = await execa(process.execPath, [...process.execArgv, '--import', LOG_MODULES, '--input-type=module', '-e', script, 'faultline', ...args], {
    reject: false,
    env: { FAULTLINE_MODULE_LOG: log },
  });
  const modules = [...new Set((await readFile(log, 'utf8')).split('\n').filter((l) => l !== ''))];
  return { code: r.exitCode ?? -1, modules };
}

/** What none of these commands may load: clients of Docker and the databases, and the parts of faultline that use them. */
const NEVER = [
  /node_modules\/(dockerode|docker-modem|ioredis|etcd3|@grpc|consul|node-zookeeper-client|ssh2|execa|ora|zod|yaml|cockatiel|fast-check)\//,
  /\/src\/(cluster\/docker|systems\/(redis|etcd|zookeeper|consul)|report|campaign|runner\/run|execute|server|store)\//,
  /\/src\/checker\/shrink\//,
  /\/src\/checker\/linearizability\/pool\./,
];

describe('a small check and --help load only what they use', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-startup-'));
    const lines = (events: object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    await writeFile(
      join(dir, 'register.jsonl'),
      lines([
        { process: 0, type: 'invoke', f: 'write', value: 1 },
        { process: 0, type: 'ok', f: 'write', value: 1 },
        { process: 1, type: 'invoke', f: 'read', value: null },
        { process: 1, type: 'ok', f: 'read', value: 1 },
      ]),
    );
    await writeFile(
      join(dir, 'queue.jsonl'),
      lines([
        { process: 0, type: 'invoke', f: 'enqueue', value: 1 },
        { process: 0, type: 'ok', f: 'enqueue', value: 1 },
        { process: 1, type: 'invoke', f: 'dequeue', value: null },
        { process: 1, type: 'ok', f: 'dequeue', value: 1 },
      ]),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: { name: string; args: (dir: string) => string[]; code: number; loads: RegExp[]; not: RegExp[] }[] = [
    {
      name: 'check --model register',
      args: (d) => ['check', join(d, 'register.jsonl'), '--model', 'register'],
      code: 0,
      loads: [/\/src\/cli\/commands\/check\./, /\/src\/checker\/linearizability\/search\./, /node_modules\/commander\//],
      // A JSON Lines history needs no EDN parser; the flags' help needs the names of the txn models, not their checker.
      not: [/node_modules\/edn-data\//, /\/src\/checker\/txn\/index\./, /\/src\/checker\/queue\//],
    },
    {
      name: 'check --workload queue',
      args: (d) => ['check', join(d, 'queue.jsonl'), '--workload', 'queue'],
      code: 2, // no final drain: what stayed in the queue is unknown
      loads: [/\/src\/cli\/commands\/check\./, /\/src\/checker\/queue\//],
      not: [/node_modules\/edn-data\//, /\/src\/checker\/txn\/index\./],
    },
    {
      name: '--help',
      args: () => ['--help'],
      code: 0,
      loads: [/\/src\/cli\/main\./, /node_modules\/commander\//],
      not: [/\/src\/cli\/commands\//, /\/src\/checker\//, /\/src\/history\//],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { code, modules } = await loadedBy(join(dir, 'modules.log'), ...c.args(dir));
      assert.equal(code, c.code);
      // The record works: what the command must load is in it.
      for (const must of c.loads) assert.ok(modules.some((m) => must.test(m)), `${c.name} should load ${must}: ${modules.join(', ')}`);
      for (const never of [...NEVER, ...c.not]) {
        const found = modules.filter((m) => never.test(m));
        assert.deepEqual(found, [], `${c.name} loads ${found.join(', ')}`);
      }
    });
  }
});
