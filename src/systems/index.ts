import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { consul } from './consul/index.js';
import { type ClientPlugin, type SystemDescriptor } from './descriptor.js';
import { etcd } from './etcd/index.js';
import { redis } from './redis/index.js';
import { zookeeper } from './zookeeper/index.js';

export * from './descriptor.js';
export { consul, etcd, redis, zookeeper };

/** Every built-in database: a new one is a folder under src/systems/ and its entry here (with its import above). */
const BUILTINS: readonly SystemDescriptor[] = [redis, zookeeper, etcd, consul];

export const builtinSystems: ReadonlyMap<string, SystemDescriptor> = new Map(BUILTINS.map((s) => [s.name, s]));
export const builtinSystemNames: readonly string[] = BUILTINS.map((s) => s.name);

/**
 * A plugin is named by a path (`./my-system.js`, `/abs/x.js`) or an npm package named by the
 * convention `faultline-*` or scoped (`@me/faultline-x`): a bare word is a built-in's name, so a
 * typo (`zookeper`) is caught as an unknown system rather than looked for on npm.
 */
export function isPluginRef(ref: string): boolean {
  return !builtinSystems.has(ref) && PLUGIN_REF.test(ref);
}

export const PLUGIN_REF = /^(?:\.{1,2}\/|\/|faultline-[a-z0-9][\w.-]*$|@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*$)/i;

/** The built-in system called `name`, or a UsageError listing them. */
export function builtinSystem(name: string): SystemDescriptor {
  const found = builtinSystems.get(name);
  if (found === undefined) throw new UsageError(`unknown system "${name}"`, `choose one of: ${builtinSystemNames.join(', ')}, or a plugin module (./path/to/plugin.js, an npm package faultline-*)`);
  return found;
}

/** The system a spec names: a built-in, or a plugin module whose default export is `defineSystem(...)`. */
export async function loadSystem(ref: string): Promise<SystemDescriptor> {
  if (!isPluginRef(ref)) return builtinSystem(ref);
  const value = await importPlugin(ref, 'system');
  if (!isDescriptor(value)) throw new UsageError(`the plugin ${ref} exports no system`, 'its default export must be the result of defineSystem({...}) from "faultline"');
  return value;
}

/** A client plugin (`--client`): its default export is `defineClient(...)` for a built-in system. */
export async function loadClientPlugin(ref: string): Promise<ClientPlugin> {
  const value = await importPlugin(ref, 'client');
  if (value === null || typeof value !== 'object' || !('client' in value) || !('system' in value)) {
    throw new UsageError(`the plugin ${ref} exports no client`, 'its default export must be the result of defineClient({...}) from "faultline"');
  }
  return value as ClientPlugin;
}

function isDescriptor(v: unknown): v is SystemDescriptor {
  return v !== null && typeof v === 'object' && typeof (v as SystemDescriptor).name === 'string' && typeof (v as SystemDescriptor).probe === 'function' && typeof (v as SystemDescriptor).client === 'object';
}

/**
 * Imports a plugin module by path (relative to the working directory) or package name
 * (resolved from the working directory, as `npx` would), and returns its default export.
 */
async function importPlugin(ref: string, kind: string): Promise<unknown> {
  let url: string;
  if (ref.startsWith('.') || isAbsolute(ref)) {
    url = pathToFileURL(resolve(ref)).href;
  } else {
    try {
      url = pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve(ref)).href;
    } catch {
      throw new UsageError(`cannot find the ${kind} plugin package "${ref}" from ${process.cwd()}`, `install it (npm install ${ref}) or give a path: ./path/to/plugin.js`);
    }
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(ref.replace(/^\.\//, ''))) throw new UsageError(`no ${kind} plugin at ${ref}`, 'give the path of an ES module (.js, .mjs)');
    throw new UsageError(`the ${kind} plugin ${ref} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
  return mod.default;
}
