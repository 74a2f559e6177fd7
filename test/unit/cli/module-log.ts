/**
 * A `--import` argument that makes a Node process append to the file named by
 * FAULTLINE_MODULE_LOG every ES module URL it resolves and, when it exits, every CommonJS
 * module in the require cache: how the start-up tests see what a command loads.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.FAULTLINE_MODULE_LOG, r.url + '\\n');
  return r;
}`;
const REGISTER = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});
const cache = createRequire(process.cwd() + '/').cache;
process.on('exit', () => appendFileSync(process.env.FAULTLINE_MODULE_LOG, Object.keys(cache).join('\\n') + '\\n'));`;
export const LOG_MODULES = `data:text/javascript,${encodeURIComponent(REGISTER)}`;
