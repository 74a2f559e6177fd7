import type { Command } from 'commander';
import ora from 'ora';
import { connectDocker } from '../../cluster/docker/engine.js';
import { ensureImages } from '../../cluster/docker/image-build.js';
import { builtinSystemNames, builtinSystems, loadSystem } from '../../systems/index.js';

/**
 * Progress for long steps: a spinner on a terminal, plain timestamped lines otherwise
 * (CI logs, pipes). Both go to stderr so that stdout stays for results.
 */
export interface Progress {
  line(text: string): void;
  done(text: string): void;
  fail(): void;
}

export function progress(): Progress {
  const started = Date.now();
  const stamp = (): string => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  // A terminal that reports no width (some pseudo-terminals) makes the spinner redraw forever.
  if (process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && process.env['CI'] === undefined) {
    const spinner = ora({ stream: process.stderr }).start();
    return {
      line: (text) => (spinner.text = text),
      done: (text) => spinner.succeed(`${text} (${stamp()})`),
      fail: () => spinner.stop(),
    };
  }
  return {
    line: (text) => process.stderr.write(`[${stamp()}] ${text}\n`),
    done: (text) => process.stderr.write(`[${stamp()}] ${text}\n`),
    fail: () => undefined,
  };
}

/** Base → common layer → per-system images, each reused when its content hash is unchanged. */
export async function buildImages(systems: readonly string[]): Promise<Map<string, string>> {
  const docker = await connectDocker();
  const p = progress();
  try {
    const descriptors = await Promise.all(systems.map((s) => loadSystem(s)));
    const built = await ensureImages(docker, descriptors.map((d) => ({ name: d.name, ...d.install })), (l) => p.line(l));
    const summary = [...built.entries()].map(([s, img]) => `${s} ${img.ref}${img.reused ? ' (cached)' : ''}`).join(', ');
    p.done(`images ready: ${summary}`);
    return new Map([...built.entries()].map(([s, img]) => [s, img.ref]));
  } catch (err) {
    p.fail();
    throw err;
  }
}

export function registerImages(program: Command): void {
  const images = program.command('images').description('build the Docker images the cluster nodes run');
  images
    .command('build')
    .description('build (or reuse, when unchanged) the node image of one system or all of them')
    .option('-s, --system <name>', `${builtinSystemNames.join('|')}|all, or a plugin module`, 'all')
    .action(async (opts: { system: string }) => {
      const wanted = opts.system === 'all' ? [...builtinSystems.keys()] : [opts.system];
      const built = await buildImages(wanted);
      for (const [system, ref] of built) process.stdout.write(`${system}\t${ref}\n`);
    });
}
