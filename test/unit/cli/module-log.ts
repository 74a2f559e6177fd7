/**
 * A `--import` argument that makes a Node process append every ES module URL it resolves to
 * the file named by FAULTLINE_MODULE_LOG: how the start-up tests see what a command loads.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.FAULTLINE_MODULE_LOG, r.url + '\\n');
  return r;
}`;
export const LOG_MODULES = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`)}`;
