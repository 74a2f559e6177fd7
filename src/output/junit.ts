import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InfrastructureError } from '../errors.js';
import { type TestOutcome, describeChecker, expectationText, gatingVerdict } from './outcome.js';

/**
 * Text for XML content and attribute values. Values come from databases and configs, so
 * besides the five special characters, characters XML 1.0 forbids (most C0 controls, lone
 * surrogates, U+FFFE/U+FFFF) are replaced: one bad byte must not make the file unparseable.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * JUnit XML: one `<testsuite>` per test run, one `<testcase>` per checker. An invalid
 * checker is a `<failure>` carrying the anomaly; unknown is an `<error>` (the run did
 * not prove anything); a test with no verdict is one `<error>` case; a test skipped by
 * an interruption is `<skipped>`. Nothing that did not pass looks like a pass.
 */
export function renderJunit(outcomes: readonly TestOutcome[], suiteName = 'faultline'): string {
  const count = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = outcomes.map((o) => {
    const cases = testCases(o);
    const c = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
    for (const tc of cases) if (tc.kind !== 'pass') c[tc.kind === 'failure' ? 'failures' : tc.kind === 'error' ? 'errors' : 'skipped']++;
    for (const k of Object.keys(count) as (keyof typeof count)[]) count[k] += c[k];
    const props = [
      ['system', o.system],
      ['workload', o.workload],
      ['nemesis', o.nemesis?.join(',')],
      ['seed', o.seed?.toString()],
      ['runDir', o.runDir],
      ['status', o.status],
    ]
      .filter((p): p is [string, string] => p[1] !== undefined)
      .map(([k, v]) => `      <property name="${escapeXml(k)}" value="${escapeXml(v)}"/>`);
    const body = cases.map((tc) => caseXml(o.name, tc)).join('\n');
    const warnings = o.warnings.length === 0 ? '' : `\n    <system-err>${escapeXml(o.warnings.join('\n'))}</system-err>`;
    return `  <testsuite name="${escapeXml(o.name)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${seconds(o.durationMs)}">
    <properties>
${props.join('\n')}
    </properties>
${body}${warnings}
  </testsuite>`;
  });
  const total = seconds(outcomes.reduce((s, o) => s + o.durationMs, 0));
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${escapeXml(suiteName)}" tests="${count.tests}" failures="${count.failures}" errors="${count.errors}" skipped="${count.skipped}" time="${total}">
${suites.join('\n')}
</testsuites>
`;
}

interface Case {
  name: string;
  kind: 'pass' | 'failure' | 'error' | 'skipped';
  type?: string;
  message?: string;
}

function testCases(o: TestOutcome): Case[] {
  if (o.status === 'not-run') return [{ name: 'run', kind: 'skipped', message: 'not run: the campaign was interrupted' }];
  if (o.status === 'error') return [{ name: 'run', kind: 'error', type: 'no-verdict', message: o.error ?? 'the test failed before a verdict' }];
  // A canary is one case: it passes when the known anomaly was found.
  const canary = expectationText(o);
  if (canary !== undefined) {
    const cases: Case[] = [gatingVerdict(o) === 'valid' ? { name: 'expected invalid', kind: 'pass' } : { name: 'expected invalid', kind: 'failure', type: 'canary-silent', message: canary }];
    if (o.status === 'interrupted') cases.push({ name: 'run', kind: 'error', type: 'interrupted', message: 'interrupted: the history is partial' });
    return cases;
  }
  const cases: Case[] = o.checkers.map((c) =>
    c.verdict === 'valid'
      ? { name: c.checker, kind: 'pass' }
      : { name: c.checker, kind: c.verdict === 'invalid' ? 'failure' : 'error', type: c.verdict, message: `${c.verdict}: ${describeChecker(c)}` },
  );
  if (cases.length === 0) cases.push({ name: 'run', kind: 'error', type: 'unknown', message: 'no checker ran' });
  // Checkers that all passed do not make a run that proved nothing (cut short, almost no ok operations) a pass.
  else if (o.verdict === 'unknown' && o.status === 'checked' && cases.every((c) => c.kind === 'pass')) {
    cases.push({ name: 'run', kind: 'error', type: 'unknown', message: `unknown: ${(o.verdictReasons ?? ['the run proved nothing']).join('; ')}` });
  }
  if (o.status === 'interrupted') cases.push({ name: 'run', kind: 'error', type: 'interrupted', message: 'interrupted: the history is partial' });
  return cases;
}

function caseXml(suite: string, tc: Case): string {
  const open = `    <testcase classname="${escapeXml(suite)}" name="${escapeXml(tc.name)}"`;
  if (tc.kind === 'pass') return `${open}/>`;
  const tag = tc.kind;
  const type = tc.type === undefined ? '' : ` type="${escapeXml(tc.type)}"`;
  return `${open}>
      <${tag} message="${escapeXml(tc.message ?? '')}"${type}>${escapeXml(tc.message ?? '')}</${tag}>
    </testcase>`;
}

/** Writes the JUnit file (creating its directory); a failure to write is the environment's. */
export async function writeJunit(outcomes: readonly TestOutcome[], file: string, suiteName?: string): Promise<void> {
  const path = resolve(file);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, renderJunit(outcomes, suiteName));
  } catch (err) {
    throw new InfrastructureError(`cannot write the JUnit file ${path}: ${(err as Error).message}`, 'choose a writable place with --junit FILE');
  }
}
