// `npm run bench:knossos -- PATH`: every history in a Knossos checkout's data/ directory
// (github.com/jepsen-io/knossos; CI has no network, so the path is given, not fetched)
// checked as Knossos's own tests check them — cas-register from 0, multi-register from
// {x 0, y 0}, mutex — with Knossos's reading of nil reads, and each verdict compared with
// the one its folder (good/bad) says. Prints one line per file and a summary; exits 1 on a
// disagreement.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkLinearizability } from '../src/checker/linearizability/check.js';
import type { Json } from '../src/history/event.js';
import { readHistoryFile } from '../src/history/read.js';

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write('usage: npm run bench:knossos -- PATH/TO/knossos\n');
  process.exit(3);
}

const MODELS: Record<string, { model: string; init: Json }> = {
  'cas-register': { model: 'cas-register', init: 0 },
  'multi-register': { model: 'multi-register', init: { x: 0, y: 0 } },
  mutex: { model: 'mutex', init: null },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.edn') && statSync(path).size > 0 ? [path] : [];
  });
}

let agree = 0;
let disagree = 0;
for (const path of files(join(root, 'data')).sort()) {
  const rel = relative(join(root, 'data'), path);
  const [kind, folder] = rel.split('/') as [string, string];
  const m = MODELS[kind];
  if (m === undefined) continue;
  const expected = folder === 'good' ? 'valid' : 'invalid';
  const started = performance.now();
  const r = await checkLinearizability(await readHistoryFile(path), { model: m.model, init: m.init, nilReads: 'any', timeLimitMs: 60_000, file: path });
  const ms = performance.now() - started;
  const same = r.verdict === expected;
  if (same) agree++;
  else disagree++;
  process.stdout.write(`${same ? 'ok  ' : 'DIFF'} ${rel.padEnd(52)} expected ${expected.padEnd(7)} faultline ${r.verdict.padEnd(7)} ${ms.toFixed(0).padStart(6)} ms  (${r.stats.nilReads} nil reads)\n`);
}
process.stdout.write(`\n${agree} agree with Knossos, ${disagree} disagree\n`);
process.exitCode = disagree === 0 ? 0 : 1;
