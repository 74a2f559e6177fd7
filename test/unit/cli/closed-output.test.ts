import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/** Under tsx only the .ts sources exist. */
function moduleUrl(rel: string): string {
  const url = new URL(rel, import.meta.url).href;
  return existsSync(fileURLToPath(url)) ? url : url.replace(/\.js$/, '.ts');
}

/**
 * A child that behaves like a run: something registered for teardown, progress lines on
 * stdout and stderr every 20 ms, forever. The parent stops reading `closed` after the first
 * line (as `| head -1` does) and watches how the child ends.
 */
async function closeReader(closed: 'stdout' | 'stderr' | 'both'): Promise<{ code: number | null; ms: number; tornDown: boolean; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-epipe-'));
  const marker = join(dir, 'torn-down');
  const script = [
    `const { guardOutputStreams } = await import(${JSON.stringify(moduleUrl('../../../src/cli/closed-output.js'))});`,
    `const { onInterrupt } = await import(${JSON.stringify(moduleUrl('../../../src/cluster/teardown.js'))});`,
    `const { writeFileSync } = await import('node:fs');`,
    'guardOutputStreams();',
    `onInterrupt('the run', async () => { await new Promise((r) => setTimeout(r, 200)); writeFileSync(${JSON.stringify(marker)}, 'yes'); });`,
    'let n = 0;',
    "setInterval(() => { process.stdout.write(`out ${n}\\n`); process.stderr.write(`err ${n++}\\n`); }, 20);",
  ].join('\n');
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const t0 = Date.now();
  let stderr = '';
  const closes = closed === 'both' ? [child.stdout, child.stderr] : [closed === 'stdout' ? child.stdout : child.stderr];
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      if (closes.includes(stream)) stream.destroy();
      else stderr += chunk.toString('utf8');
    });
  }
  const code = await new Promise<number | null>((done) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (c) => {
      clearTimeout(killer);
      done(c);
    });
  });
  return { code, ms: Date.now() - t0, tornDown: existsSync(marker) && (await readFile(marker, 'utf8')) === 'yes', stderr };
}

describe('a reader that goes away (EPIPE)', () => {
  for (const closed of ['both', 'stderr', 'stdout'] as const) {
    it(`closing ${closed}: the run is stopped and torn down as after SIGTERM, exit 130, no spin`, async () => {
      const r = await closeReader(closed);
      assert.equal(r.code, 130, `exit ${r.code} after ${r.ms} ms (null: still spinning after 10 s, killed)`);
      assert.ok(r.tornDown, 'the registered teardown did not run');
      assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
      if (closed === 'stdout') assert.match(r.stderr, /the reader of stdout went away, stopping/);
    });
  }
});
