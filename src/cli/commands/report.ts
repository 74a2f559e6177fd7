import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InfrastructureError } from '../../errors.js';
import { loadRun } from '../../report/load.js';
import { renderReport } from '../../report/render.js';
import { ExitCode } from '../../exit-codes.js';

/**
 * `faultline report RUN_DIR [--out FILE]`: (re)writes a stored run's HTML report. Exits 0
 * when the report was written, whatever the run's verdict: gating on the verdict is what
 * `faultline run` and `faultline check` exit codes are for.
 */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the self-contained HTML report of a stored run (default: RUN_DIR/report.html)')
    .argument('<run-dir>', 'a run directory, e.g. store/<test-name>/latest')
    .option('--out <file>', 'where to write the report')
    .action(async (runDir: string, flags: { out?: string }) => {
      const input = await loadRun(runDir);
      const out = flags.out ?? join(runDir, 'report.html');
      await writeFile(out, renderReport(input)).catch((err: unknown) => {
        throw new InfrastructureError(`cannot write ${out}: ${(err as Error).message}`, 'choose a writable place with --out FILE');
      });
      process.stdout.write(`${out}\n`);
      process.stderr.write(`report of ${input.name}: ${input.verdict}${input.verdictReason === undefined ? '' : ` (${input.verdictReason})`}\n`);
      process.exitCode = ExitCode.Valid;
    });
}
