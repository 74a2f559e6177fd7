import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ExitCode } from '../../../src/exit-codes.js';
import { FORMATS, type Format, render } from './formats.js';
import { type EventMutation, type TextMutation, eventMutation, textMutation } from './mutations.js';
import { SEEDS, type Seed } from './seeds.js';
import { type CheckOutcome, CheckRunner } from './run-check.js';

/**
 * `faultline check` over every checker × every input format, fed well-formed histories
 * with mutations and plain garbage: whatever comes in, it ends in exit 0, 1 or 2 with a
 * verdict on stdout, or exit 3 with one line on stderr — never exit 5, a stack trace, an
 * exception that escapes, nor a case that runs on. Fixed seed and bounded runs for CI;
 * `FAULTLINE_FUZZ_RUNS=N` runs N cases per property instead (and a random seed, printed,
 * when FAULTLINE_FUZZ_SEED is unset and N is given).
 */

const RUNS = Number(process.env['FAULTLINE_FUZZ_RUNS'] ?? 0) || undefined;
const SEED = process.env['FAULTLINE_FUZZ_SEED'] !== undefined ? Number(process.env['FAULTLINE_FUZZ_SEED']) : RUNS === undefined ? 20261204 : Date.now() % 2 ** 31;
const params = (ci: number): fc.Parameters<unknown> => ({ numRuns: RUNS ?? ci, seed: SEED, endOnFailure: true, includeErrorInReport: true });
if (RUNS !== undefined) process.stderr.write(`check fuzz: ${RUNS} runs per property, seed ${SEED}\n`);

/** A case that takes longer than this has run on (the checks below pass --time-limit 5). */
const CASE_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-fuzz-'));
const runner = new CheckRunner();
after(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});
const checkInProcess = (args: readonly string[]): Promise<CheckOutcome> => runner.run(args, CASE_MS);
let files = 0;
function file(bytes: Buffer | string, ext = 'history'): string {
  const path = join(dir, `case-${files++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

const STACK = /\n\s+at [^\n]*[(:/\\]|\bat [\w.<>]+ \(|internal error|Maximum call stack|is not a function|undefined is not|cannot read propert|serialize a BigInt|not iterable/i;

/** The contract every outcome must keep; returns why not, or undefined. */
function broken(r: CheckOutcome, json: boolean): string | undefined {
  if (r.ms > CASE_MS) return `took ${Math.round(r.ms)} ms`;
  if (![ExitCode.Valid, ExitCode.Invalid, ExitCode.Unknown, ExitCode.Usage].includes(r.code as 0)) return `exit ${r.code}`;
  if (STACK.test(r.err) || STACK.test(r.out)) return 'JavaScript internals in the output';
  const lines = r.err.split('\n').filter((l) => l !== '');
  if (lines.some((l) => !l.startsWith('faultline: ') && !l.startsWith('  hint: '))) return 'a stderr line that is neither an error, a note nor a hint';
  if (r.code === ExitCode.Usage) {
    if (r.out !== '') return 'exit 3 with output on stdout';
    // One error line (notes about the file's torn tail may come before it) and at most one hint.
    const errors = lines.filter((l) => l.startsWith('faultline: ') && !/torn|left out/.test(l));
    if (errors.length !== 1) return `exit 3 with ${errors.length} error lines`;
    if (lines.filter((l) => l.startsWith('  hint: ')).length > 1) return 'more than one hint';
    return undefined;
  }
  const verdict = r.code === 0 ? 'valid' : r.code === 1 ? 'invalid' : 'unknown';
  if (json) {
    let parsed: { verdict?: unknown; exitCode?: unknown };
    try {
      parsed = JSON.parse(r.out) as typeof parsed;
    } catch {
      return 'stdout is not JSON with --json';
    }
    if (parsed.verdict !== verdict || parsed.exitCode !== r.code) return `--json says ${String(parsed.verdict)}/${String(parsed.exitCode)} for exit ${r.code}`;
  } else if (!/valid|invalid|unknown|linearizable|INVALID|VALID|UNKNOWN/.test(r.out)) return 'no verdict on stdout';
  if (r.code === ExitCode.Invalid && !/[a-z]+ [a-z]+ [^\n]{20,}/i.test(r.out)) return 'an invalid verdict without a sentence';
  // A malformed value that slipped through as a number or an object shows in the sentence (a value "NaN" is quoted).
  if (/(?<!["\\])\b(NaN|undefined)\b(?!")|\[object Object\]/.test(r.out)) return 'NaN, undefined or [object Object] in the verdict: a malformed value was judged';
  return undefined;
}

async function check(path: string, seed: Seed, json: boolean): Promise<CheckOutcome> {
  return checkInProcess([path, ...seed.flags, '--time-limit', '5', ...(json ? ['--json'] : [])]);
}

function assertKept(r: CheckOutcome, json: boolean, what: string): void {
  const why = broken(r, json);
  assert.equal(why, undefined, `${why}\n${what}\nexit ${r.code}\nstdout: ${r.out.slice(0, 2000)}\nstderr: ${r.err.slice(0, 2000)}`);
}

const show = (bytes: Buffer): string => JSON.stringify(bytes.toString('utf8').slice(0, 3000));

describe('faultline check, fuzzed: every checker × every format', () => {
  it('every seed, in every format, is read and judged (exit 0 or 1), never refused', async () => {
    for (const seed of SEEDS) {
      for (const format of FORMATS.filter((f) => seed.not?.includes(f) !== true)) {
        const text = render(seed.events, format);
        const r = await check(file(text), seed, false);
        assertKept(r, false, `${seed.name} as ${format}`);
        assert.ok(r.code === ExitCode.Valid || r.code === ExitCode.Invalid, `${seed.name} as ${format}: exit ${r.code}\n${r.out}${r.err}\n${text}`);
      }
    }
  });

  it('mutated histories: exit 0–2 with a verdict, or 3 with one line; never 5, a stack trace or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEEDS),
        fc.constantFrom<Format>(...FORMATS),
        fc.array(eventMutation, { maxLength: 3 }),
        fc.array(textMutation, { maxLength: 2 }),
        fc.boolean(),
        async (seed, format, eventMutations: EventMutation[], textMutations: TextMutation[], json) => {
          const events = eventMutations.reduce((es, m) => m(es), [...seed.events]);
          const bytes = textMutations.reduce<Buffer>((t, m) => m(t), Buffer.from(render(events, format)));
          assertKept(await check(file(bytes), seed, json), json, `${seed.name} ${seed.flags.join(' ')} as ${format}: ${show(bytes)}`);
        },
      ),
      params(900),
    );
  });

  it('garbage bytes: exit 3 with one line (or a verdict, if it happens to be a history)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEEDS),
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
          fc.tuple(fc.constantFrom('{"', '{:', '[{"', '[', '(', 'INFO  jepsen.util - 0\t:invoke\t:'), fc.uint8Array({ maxLength: 100 })).map(([p, b]) => Buffer.concat([Buffer.from(p), b])),
        ),
        async (seed, bytes) => {
          assertKept(await check(file(bytes), seed, false), false, `${seed.name}: ${show(bytes)}`);
        },
      ),
      params(150),
    );
  });

  it('a history cut inside its last event is never valid (what followed was never recorded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEEDS),
        fc.constantFrom<Format>('jsonl', 'edn-lines', 'edn-collection', 'elle-json'),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        async (seed, format, f) => {
          const text = render(seed.events, format).trimEnd();
          const last = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('{')) + 1;
          // Strictly inside the last event: at least its first character kept, its last one lost.
          const cut = Math.min(text.length - 1, last + 1 + Math.floor(f * (text.length - last - 1)));
          const bytes = Buffer.from(text.slice(0, cut));
          const r = await check(file(bytes), seed, false);
          assertKept(r, false, `${seed.name} as ${format}: ${show(bytes)}`);
          assert.notEqual(r.code, ExitCode.Valid, `a cut history read valid: ${seed.name} as ${format}: ${show(bytes)}\n${r.out}`);
        },
      ),
      params(150),
    );
  });
});

/** Run directories as a run writes them, for the seeds a faultline workload recorded. */
const RUN_WORKLOADS: Readonly<Record<string, string>> = {
  'cas-register': 'register',
  'list-append': 'append',
  counter: 'counter',
  set: 'set',
  queue: 'queue',
  bank: 'bank',
  'stream-queue': 'stream-queue',
  watch: 'watch',
  'register-watched': 'register-watched',
  election: 'election',
};
/** The system each run directory names: one that offers its workload. */
const RUN_SYSTEMS: Readonly<Record<string, string>> = { watch: 'etcd', 'register-watched': 'etcd', election: 'etcd' };

function runDir(seed: Seed, history: Buffer, results: string | undefined, test?: string): string {
  const d = join(dir, `run-${files++}`);
  mkdirSync(d);
  const spec = { system: RUN_SYSTEMS[seed.name] ?? 'redis', workload: RUN_WORKLOADS[seed.name], nemesis: [], seed: 1, minOk: 1 };
  writeFileSync(join(d, 'test.json'), test ?? JSON.stringify({ name: `${spec.system}-${spec.workload}`, seed: 1, spec }));
  if (results !== undefined) writeFileSync(join(d, 'results.json'), results);
  writeFileSync(join(d, 'history.jsonl'), history);
  return d;
}

describe('faultline check RUN_DIR, fuzzed', () => {
  const seeds = SEEDS.filter((s) => RUN_WORKLOADS[s.name] !== undefined);
  const invoked = (s: Seed): number => s.events.filter((e) => e.type === 'invoke' && e.process !== 'nemesis').length;

  it('every seed as a run directory is judged again (a faultline set history without final-read is unknown), never refused', async () => {
    for (const seed of seeds) {
      const d = runDir(seed, Buffer.from(render(seed.events, 'jsonl')), JSON.stringify({ verdict: 'valid', verdictReasons: [], checkers: [], ops: { invoked: invoked(seed) } }));
      const r = await checkInProcess([d]);
      assertKept(r, false, `${seed.name} run dir`);
      assert.notEqual(r.code, ExitCode.Usage, `${seed.name} run dir refused\n${r.err}`);
    }
  });

  it('mutated run directories: the same contract; one with a cut or missing part is never valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(eventMutation, { maxLength: 2 }),
        fc.array(textMutation, { maxLength: 2 }),
        fc.constantFrom('ok', 'missing', 'garbage', 'stopped', 'test-garbage', 'test-nospec'),
        async (seed, eventMutations: EventMutation[], textMutations: TextMutation[], part) => {
          const events = eventMutations.reduce((es, m) => m(es), [...seed.events]);
          const bytes = textMutations.reduce<Buffer>((t, m) => m(t), Buffer.from(render(events, 'jsonl')));
          const results =
            part === 'missing' ? undefined : part === 'garbage' ? '{"verdict": "valid", "ops": {"invoked": "x"}, "verdictReasons": [1, null]' : JSON.stringify({ verdict: 'valid', verdictReasons: part === 'stopped' ? ['the run stopped early'] : [], checkers: [], ops: { invoked: invoked(seed) } });
          const test = part === 'test-garbage' ? '{"spec": ' : part === 'test-nospec' ? '{"name": "x"}' : undefined;
          const d = runDir(seed, bytes, results, test);
          const r = await checkInProcess([d]);
          assertKept(r, false, `${seed.name} run dir (${part}): ${show(bytes)}`);
          if (part === 'missing' || part === 'garbage' || part === 'stopped') assert.notEqual(r.code, ExitCode.Valid, `${part} results.json read valid\n${r.out}`);
        },
      ),
      params(120),
    );
  });

  it('a run directory lacking its history, or with a directory in its place, is a one-line exit 3', async () => {
    for (const seed of seeds.slice(0, 1)) {
      const d = runDir(seed, Buffer.from(''), '{}');
      rmSync(join(d, 'history.jsonl'));
      assertKept(await checkInProcess([d]), false, 'no history.jsonl');
      mkdirSync(join(d, 'history.jsonl'));
      assertKept(await checkInProcess([d]), false, 'history.jsonl is a directory');
      rmSync(join(d, 'test.json'));
      assertKept(await checkInProcess([d]), false, 'no test.json');
    }
  });
});
