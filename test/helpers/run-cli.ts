import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const mainModule = new URL('../../src/cli/main.js', import.meta.url).href;
/** Under tsx only the .ts source exists. */
const extension = existsSync(fileURLToPath(mainModule)) ? '.js' : '.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the CLI in a child process, from sources under tsx or from dist alike (the child
 * inherits this process's loader flags). A child, because node:test reports through
 * this process's stdout.
 */
export async function runCli(...args: string[]): Promise<CliResult> {
  const script = `import(${JSON.stringify(mainModule.replace(/\.js$/, extension))}).then(async (m) => { process.exitCode = await m.main(process.argv); });`;
  const r = await execa(process.execPath, [...process.execArgv, '--input-type=module', '-e', script, 'faultline', ...args], {
    reject: false,
  });
  return { code: r.exitCode ?? -1, out: r.stdout, err: r.stderr };
}

/**
 * Runs the CLI in this process and captures what it writes to stderr (usage errors are
 * reported there). For commands that fail before doing any work; anything that starts
 * clusters or prints much belongs in a child process (`runCli`).
 */
export async function runCliInProcess(args: readonly string[]): Promise<{ code: number; err: string }> {
  const { main } = await import('../../src/cli/main.js');
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'faultline', ...args]), err };
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
  }
}
