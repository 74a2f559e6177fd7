import { type TestOutcome, describeChecker, expectationText, gatingVerdict } from './outcome.js';

/** GitHub's workflow-command escaping: the message, and property values (which also lose `:` and `,`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(level: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/**
 * GitHub Actions annotations, one line each: an error for every invalid or unknown
 * checker and every test without a verdict, a warning for problems next to a verdict,
 * a notice for tests skipped by an interruption. Valid checkers say nothing.
 */
export function githubAnnotations(outcomes: readonly TestOutcome[]): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    const where = o.runDir === undefined ? '' : ` (run directory ${o.runDir})`;
    if (o.status === 'not-run') {
      lines.push(command('notice', `faultline ${o.name}: not run`, `skipped: the campaign was interrupted`));
      continue;
    }
    if (o.status === 'error') {
      lines.push(command('error', `faultline ${o.name}: no verdict`, `${o.error ?? 'the test failed before a verdict'}${where}`));
      continue;
    }
    const canary = expectationText(o);
    if (canary !== undefined) {
      lines.push(command(gatingVerdict(o) === 'valid' ? 'notice' : 'error', `faultline ${o.name}: canary`, `${canary}${where}`));
      continue;
    }
    for (const c of o.checkers) {
      if (c.verdict === 'valid') continue;
      lines.push(command('error', `faultline ${o.name}: ${c.checker} ${c.verdict}`, `${describeChecker(c)}${where}`));
    }
    if (o.checkers.length === 0) lines.push(command('error', `faultline ${o.name}: unknown`, `no checker ran${where}`));
    else if (o.verdict === 'unknown' && o.status === 'checked' && o.checkers.every((c) => c.verdict === 'valid')) {
      lines.push(command('error', `faultline ${o.name}: unknown`, `${(o.verdictReasons ?? ['the run proved nothing']).join('; ')}${where}`));
    }
    if (o.status === 'interrupted') lines.push(command('error', `faultline ${o.name}: interrupted`, `the run was interrupted; its history is partial${where}`));
    for (const w of o.warnings) lines.push(command('warning', `faultline ${o.name}`, w));
  }
  return lines;
}

/**
 * Only under GitHub Actions. They go to stderr: the Actions runner reads workflow commands
 * from both streams, and stdout stays a clean JSON document with `--json`.
 */
export function emitGithubAnnotations(outcomes: readonly TestOutcome[], env: NodeJS.ProcessEnv = process.env, write: (s: string) => void = (s) => process.stderr.write(s)): void {
  if (env['GITHUB_ACTIONS'] !== 'true') return;
  for (const line of githubAnnotations(outcomes)) write(`${line}\n`);
}
