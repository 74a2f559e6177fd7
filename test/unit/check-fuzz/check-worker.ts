import { parentPort } from 'node:worker_threads';
import { main } from '../../../src/cli/main.js';

/** Runs `faultline check ARGS` for CheckRunner, one case at a time, stdout and stderr captured. */
parentPort!.on('message', (m: { id: number; args: readonly string[] }) => {
  void (async () => {
    let out = '';
    let err = '';
    const capture =
      (append: (s: string) => void) =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        if (callback !== undefined) process.nextTick(callback);
        return true;
      };
    process.stdout.write = capture((s) => (out += s)) as typeof process.stdout.write;
    process.stderr.write = capture((s) => (err += s)) as typeof process.stderr.write;
    const start = performance.now();
    let code: number;
    try {
      code = await main(['node', 'faultline', 'check', ...m.args]);
    } catch (x) {
      code = -1;
      err += x instanceof Error ? (x.stack ?? x.message) : String(x);
    }
    process.exitCode = undefined;
    parentPort!.postMessage({ id: m.id, outcome: { code, out, err, ms: performance.now() - start } });
  })();
});
